"""Every real-sender sample parses, with the totals in expected.tsv (pure: no database)."""

from __future__ import annotations

import dataclasses

import pytest

from tests.reports.samples import (
    SAMPLES_DIR,
    expected_rows,
    rebuilt_by_constructors,
    reports_in,
    sample_files,
    totals_by_domain,
)

ROWS = expected_rows()


def test_the_samples_folder_is_there() -> None:
    assert (SAMPLES_DIR / "expected.tsv").is_file(), f"no samples at {SAMPLES_DIR}"
    assert ROWS


def test_every_sample_file_has_a_row_in_expected_tsv() -> None:
    assert set(sample_files()) == {row.file for row in ROWS}


@pytest.mark.parametrize("relative", sample_files())
def test_every_sample_parses_into_exactly_the_domains_expected(relative: str) -> None:
    reports = reports_in(relative)

    assert reports, "no report found"
    assert set(totals_by_domain(reports)) == {
        row.policy_domain for row in ROWS if row.file == relative
    }


@pytest.mark.parametrize("row", ROWS, ids=[f"{row.file}|{row.policy_domain}" for row in ROWS])
def test_sample_totals_match_expected_tsv(row) -> None:
    totals = totals_by_domain(reports_in(row.file))[row.policy_domain]

    assert (totals.successful, totals.failed) == (row.successful, row.failed)
    assert dict(totals.result_type_counts) == row.result_type_counts


def test_microsoft_zone_less_dates_are_read_as_utc_with_a_note() -> None:
    (report,) = reports_in("mox/microsoft.eml")

    assert report.start.isoformat() == "2023-01-10T00:00:00+00:00"
    assert "$.date-range.start-datetime: no time zone; read as UTC" in report.repairs


def test_microsoft_tlsa_policy_string_is_expanded_into_records() -> None:
    (report,) = reports_in("dmarc-report-viewer/microsoft.json")
    tlsa = next(policy for policy in report.policies if policy.policy_type == "tlsa")

    assert len(tlsa.policy_strings) == 2
    assert all(record.startswith("3 1 1 ") for record in tlsa.policy_strings)


def test_summary_stays_authoritative_when_details_add_up_to_more() -> None:
    (report,) = reports_in("parsedmarc/mail.ru.json")
    (policy,) = report.policies

    assert policy.failed_sessions == 1
    assert sum(d.failed_session_count for d in policy.failure_details) == 2


def test_policies_without_a_domain_are_kept_with_an_empty_domain() -> None:
    (report,) = reports_in("mail-auth/rpt03.json")

    assert [p.policy_domain for p in report.policies] == ["", ""]
    assert [p.policy_domain_source for p in report.policies] == ["", ""]
    assert report.policies[1].policy_type == "invalid-policy-type"


def test_gzip_and_plain_copies_of_one_report_parse_identically() -> None:
    assert reports_in("mail-tls-rpt/report.json.gz") == reports_in("mail-tls-rpt/report.json")
    assert reports_in("mail-tls-rpt/email.eml") == reports_in("mail-tls-rpt/report.json")


@pytest.mark.parametrize("relative", sample_files())
def test_parsed_reports_are_what_the_constructors_build(relative: str) -> None:
    for report in reports_in(relative):
        rebuilt = rebuilt_by_constructors(report)
        assert (report, hash(report), repr(report)) == (rebuilt, hash(rebuilt), repr(rebuilt))
        with pytest.raises(dataclasses.FrozenInstanceError):
            report.policies[0].policy_type = "changed"
