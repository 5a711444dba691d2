"""The coverage API: one row per domain (verdict, gaps, recent failures), its filters, ordering,
pagination, ETag, CSV export, and tenant separation of the list and its summary (the summary's
counts: test_api_coverage_summary.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Domain
from accounts.selectors import unknown_organization_message
from tests.factories import DomainFactory, OrganizationFactory
from tests.portfolio.helpers import (
    assert_invalid,
    assert_read_only_endpoint,
    days_ago,
    domain,
    every_page,
    ingest,
    policy,
    publish,
    read_csv,
    scan,
)
from tests.scans.fakes import FakeResolver

pytestmark = pytest.mark.django_db

COVERAGE = "/api/v1/coverage/"
SUMMARY = "/api/v1/coverage/summary/"
CSV_HEADER_LINE = (
    "name,unicode_name,organization,tags,is_active,verdict,mta_sts,score,gaps,scanned_at,"
    "last_report_at,"
    "report_window_end,sessions_7d,failed_7d,failure_rate_7d,sessions_30d,failed_30d,"
    "failure_rate_30d"
)


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
def reader(org, api_client):
    return api_client(org)


# --- Rows -----------------------------------------------------------------------------------


def test_a_row_shows_the_domains_verdict_gaps_and_recent_figures(org, reader):
    scanned, reported = timezone.now() - timedelta(hours=2), timezone.now() - timedelta(hours=1)
    figures = {"sessions_7d": 200, "failed_7d": 50, "sessions_30d": 1000, "failed_30d": 50}
    scan_state = {
        "scan_verdict": "warn",
        "scan_mta_sts": "absent",
        "scan_score": 80,
        "scanned_at": scanned,
    }
    gaps = ["no_mta_sts", "external_unauthorized"]
    shown = domain(
        org,
        "mail.example",
        tags=("prod", "eu"),
        scan_gaps=gaps,
        **scan_state,
        last_report_at=reported,
        report_window_end=days_ago(1),
        **figures,
    )
    [row] = reader.get(COVERAGE).json()["results"]
    assert row == {
        "id": shown.pk,
        "name": "mail.example",
        "unicode_name": "mail.example",
        "organization": "alpha",
        "tags": ["eu", "prod"],
        "is_active": True,
        "verdict": "warn",
        "mta_sts": "absent",
        "score": 80,
        "gaps": ["external_unauthorized", "no_mta_sts"],  # in the catalogue's order
        "scanned_at": iso(scanned),
        "last_report_at": iso(reported),
        "report_window_end": days_ago(1).isoformat(),
        "sessions_7d": 200,
        "failed_7d": 50,
        "failure_rate_7d": 0.25,
        "sessions_30d": 1000,
        "failed_30d": 50,
        "failure_rate_30d": 0.05,
    }


def test_rows_follow_real_scans_and_ingested_reports(org, reader):
    """GIVEN two domains scanned for real, one publishing a record and one not, and reports
    ingested for 2 and 10 days ago THEN the rows show the verdicts, gaps and 7/30-day figures;
    a domain never scanned and never reported has no verdict and no failure rate."""
    good, bare = domain(org, "good.example"), domain(org, "bare.example")
    domain(org, "new.example")
    resolver = publish(FakeResolver(), "good.example", "mailto:tlsrpt@good.example")
    scan(good, bare, resolver=publish(resolver, "bare.example", None))
    ingest(org, days_ago(2), policy("good.example", 90, 10))
    ingest(org, days_ago(10), policy("good.example", 100, 0))

    rows = {row["name"]: row for row in reader.get(COVERAGE).json()["results"]}

    assert rows["good.example"]["verdict"] == "pass"
    assert (rows["good.example"]["gaps"], rows["good.example"]["mta_sts"]) == (
        ["no_mta_sts"],
        "absent",
    )
    assert rows["bare.example"]["verdict"] == "fail"
    assert rows["bare.example"]["gaps"] == ["no_record", "no_mta_sts"]
    figures = {k: rows["good.example"][k] for k in ("sessions_7d", "failed_7d", "sessions_30d")}
    assert figures == {"sessions_7d": 100, "failed_7d": 10, "sessions_30d": 200}
    assert rows["good.example"]["failure_rate_7d"] == pytest.approx(0.1)
    assert rows["good.example"]["failure_rate_30d"] == pytest.approx(0.05)
    assert rows["good.example"]["report_window_end"] == days_ago(1).isoformat()
    fresh = rows["new.example"]
    assert (fresh["verdict"], fresh["mta_sts"], fresh["score"], fresh["gaps"]) == ("", "", None, [])
    assert (fresh["sessions_7d"], fresh["failure_rate_7d"]) == (0, None)


# --- Filters --------------------------------------------------------------------------------


def test_filter_by_organization_slug_of_a_client(msp, client_org, api_client):
    domain(msp, "own.example")
    domain(client_org, "client.example")
    found = names(api_client(msp).get(COVERAGE, {"organization": "client-one"}))
    assert found == ["client.example"]


def test_filter_by_tag(org, reader):
    domain(org, "a.example", tags=("prod",))
    domain(org, "b.example", tags=("test",))
    assert names(reader.get(COVERAGE, {"tag": "prod"})) == ["a.example"]


def test_filter_by_any_of_several_verdicts_including_unscanned(org, reader):
    for verdict in ("pass", "warn", "fail", "error", ""):
        domain(org, f"{verdict or 'never'}.example", scan_verdict=verdict)
    found = names(reader.get(COVERAGE, {"verdict": "fail,unscanned"}))
    assert found == ["fail.example", "never.example"]


def test_filter_by_any_of_several_gaps(org, reader):
    domain(org, "none.example", scan_verdict="fail", scan_gaps=["no_record"])
    domain(org, "testing.example", scan_verdict="warn", scan_gaps=["mta_sts_testing"])
    domain(org, "dns.example", scan_verdict="error", scan_gaps=["dns_error"])
    found = names(reader.get(COVERAGE, {"gap": "no_record,mta_sts_testing"}))
    assert found == ["none.example", "testing.example"]


def test_filter_by_mta_sts_status_beside_the_verdict(org, reader):
    domain(org, "broken.example", scan_verdict="pass", scan_mta_sts="broken")
    domain(org, "enforce.example", scan_verdict="pass", scan_mta_sts="enforce")
    domain(org, "absent.example", scan_verdict="fail", scan_mta_sts="absent")
    domain(org, "never.example")
    assert names(reader.get(COVERAGE, {"mta_sts": "broken"})) == ["broken.example"]
    found = names(reader.get(COVERAGE, {"mta_sts": "absent,enforce", "verdict": "pass"}))
    assert found == ["enforce.example"]


def test_unknown_mta_sts_status_is_a_400_naming_the_field(reader):
    assert_invalid(reader.get(COVERAGE, {"mta_sts": "maybe"}), "mta_sts")


SILENT_CASES = [
    # name, verdict, gaps, days since the last report (None: never), days since added, silent
    ("old-report", "pass", [], 4, 30, True),
    ("recent-report", "pass", [], 1, 30, False),
    ("never-reported", "warn", ["no_mta_sts"], None, 10, True),
    ("just-added", "pass", [], None, 1, False),
    ("no-record", "fail", ["no_record", "no_mta_sts"], None, 30, False),
    ("never-scanned", "", [], None, 30, False),
    ("dns-error", "error", ["dns_error"], 10, 30, False),
]


def test_reports_silent_means_a_record_is_published_but_no_report_came(org, reader, settings):
    settings.TLSMON_REPORTS_SILENT_DAYS = 3
    now = timezone.now()
    for name, verdict, gaps, reported, added, _ in SILENT_CASES:
        domain(
            org,
            f"{name}.example",
            scan_verdict=verdict,
            scan_gaps=gaps,
            last_report_at=None if reported is None else now - timedelta(days=reported),
            added_at=now - timedelta(days=added),
        )
    expected = sorted(f"{case[0]}.example" for case in SILENT_CASES if case[-1])
    assert names(reader.get(COVERAGE, {"gap": "reports_silent"})) == expected
    rows = reader.get(COVERAGE).json()["results"]
    assert sorted(r["name"] for r in rows if "reports_silent" in r["gaps"]) == expected


def test_reports_silent_waits_for_the_configured_number_of_days(org, reader, settings):
    domain(org, "quiet.example", scan_verdict="pass", last_report_at=timezone.now() - timedelta(4))
    settings.TLSMON_REPORTS_SILENT_DAYS = 5
    assert names(reader.get(COVERAGE, {"gap": "reports_silent"})) == []
    settings.TLSMON_REPORTS_SILENT_DAYS = 3
    assert names(reader.get(COVERAGE, {"gap": "reports_silent"})) == ["quiet.example"]


def test_filter_by_recent_failures(org, reader):
    domain(org, "failing.example", sessions_7d=10, failed_7d=1)
    domain(org, "clean.example", sessions_7d=10, failed_7d=0)
    domain(org, "silent.example")
    assert names(reader.get(COVERAGE, {"has_failures": "true"})) == ["failing.example"]
    assert names(reader.get(COVERAGE, {"has_failures": "false"})) == [
        "clean.example",
        "silent.example",
    ]


@pytest.mark.parametrize(("failed", "matches"), [(6, False), (7, True), (8, True)])
def test_min_failure_rate_includes_a_domain_exactly_at_the_rate(org, reader, failed, matches):
    """7 of 100 is a rate of 0.07 exactly (100 * 0.07 is 7.000000000000001 in floating point)."""
    domain(org, "rated.example", sessions_7d=100, failed_7d=failed)
    domain(org, "silent.example")  # no sessions: no rate, never matches
    expected = ["rated.example"] if matches else []
    assert names(reader.get(COVERAGE, {"min_failure_rate": "0.07"})) == expected


def test_search_matches_the_a_label_and_the_unicode_name(org, reader):
    DomainFactory(organization=org, name="xn--bcher-kva.example", unicode_name="bücher.example")
    domain(org, "other.example")
    assert names(reader.get(COVERAGE, {"search": "bücher"})) == ["xn--bcher-kva.example"]
    assert names(reader.get(COVERAGE, {"search": "OTHER"})) == ["other.example"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"verdict": "pass,great"}, "verdict"),
        ({"gap": "no_dmarc"}, "gap"),
        ({"min_failure_rate": "1.5"}, "min_failure_rate"),
        ({"min_failure_rate": "-0.1"}, "min_failure_rate"),
        ({"min_failure_rate": "lots"}, "min_failure_rate"),
        ({"organization": "no-such-org"}, "organization"),
        ({"has_failures": "maybe"}, "has_failures"),
        ({"active": "yes please"}, "active"),
    ],
    ids=lambda value: next(iter(value.values())) if isinstance(value, dict) else None,
)
@pytest.mark.parametrize("url", [COVERAGE, SUMMARY])
def test_a_bad_filter_value_is_a_400_naming_the_field(org, reader, params, field, url):
    assert_invalid(reader.get(url, params), field)


def test_another_tenants_organization_slug_is_refused_like_an_unknown_one(reader, other_org):
    domain(other_org, "theirs.example")
    theirs = assert_invalid(reader.get(COVERAGE, {"organization": "outsider"}), "organization")
    unknown = assert_invalid(reader.get(COVERAGE, {"organization": "nobody"}), "organization")
    assert theirs["fields"] == {"organization": [unknown_organization_message("outsider")]}
    assert unknown["fields"] == {"organization": [unknown_organization_message("nobody")]}


# --- Ordering and pagination ----------------------------------------------------------------


def test_ordering_by_failure_rate_puts_domains_without_sessions_last(org, reader):
    domain(org, "none.example")
    domain(org, "low.example", sessions_7d=100, failed_7d=1)
    domain(org, "high.example", sessions_7d=10, failed_7d=5)
    by_rate = ["high.example", "low.example", "none.example"]
    assert names(reader.get(COVERAGE, {"ordering": "-failure_rate_7d"})) == by_rate
    assert names(reader.get(COVERAGE, {"ordering": "failure_rate_7d"})) == [
        "low.example",
        "high.example",
        "none.example",
    ]


def test_ordering_by_score_puts_domains_without_a_score_last_either_way(org, reader):
    domain(org, "na.example", scan_verdict="not_applicable", scan_score=None)
    domain(org, "low.example", scan_verdict="fail", scan_score=10)
    domain(org, "err.example", scan_verdict="error", scan_score=None)
    domain(org, "high.example", scan_verdict="pass", scan_score=100)
    assert names(reader.get(COVERAGE, {"ordering": "score"}))[:2] == ["low.example", "high.example"]
    assert names(reader.get(COVERAGE, {"ordering": "-score"}))[:2] == [
        "high.example",
        "low.example",
    ]
    assert set(names(reader.get(COVERAGE, {"ordering": "-score"}))[2:]) == {
        "na.example",
        "err.example",
    }


@pytest.mark.parametrize("ordering", ["-failure_rate_7d", "verdict", "-failed_7d", "score"])
def test_walking_every_page_returns_each_domain_exactly_once(org, reader, ordering):
    made = [domain(org, f"d{i}.example", scan_verdict="pass").pk for i in range(7)]
    rows = every_page(reader, COVERAGE, {"ordering": ordering, "page_size": 2})
    served = [row["id"] for row in rows]
    assert sorted(served) == sorted(made)
    # equal values: the id decides, in the direction of the first term
    assert served == sorted(made, reverse=ordering.startswith("-"))


# --- ETag -----------------------------------------------------------------------------------


def test_the_same_request_keeps_its_etag_and_if_none_match_gives_an_empty_304(org, reader):
    domain(org, "a.example", scan_verdict="pass")
    first = reader.get(COVERAGE, {"verdict": "pass"})
    etag = first["ETag"]
    assert etag and reader.get(COVERAGE, {"verdict": "pass"})["ETag"] == etag
    cached = reader.get(COVERAGE, {"verdict": "pass"}, HTTP_IF_NONE_MATCH=etag)
    assert cached.status_code == 304
    assert cached.content == b""


def test_a_report_changing_a_domain_gives_200_with_a_new_etag(org, reader):
    domain(org, "a.example", scan_verdict="pass")
    etag = reader.get(COVERAGE)["ETag"]
    ingest(org, days_ago(1), policy("a.example", 5, 1))
    response = reader.get(COVERAGE, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert response.json()["results"][0]["failed_7d"] == 1


# --- CSV ------------------------------------------------------------------------------------

AS_CSV = pytest.mark.parametrize(
    ("params", "headers"),
    [({"format": "csv"}, {}), ({}, {"HTTP_ACCEPT": "text/csv"})],
    ids=["format-param", "accept-header"],
)


@AS_CSV
def test_csv_has_a_header_and_every_matching_domain_not_one_page(org, reader, params, headers):
    for i in range(3):
        domain(org, f"f{i}.example", scan_verdict="fail", tags=("b", "a"), sessions_7d=4)
    domain(org, "p.example", scan_verdict="pass")
    response = reader.get(COVERAGE, {**params, "verdict": "fail", "page_size": 1}, **headers)
    header, rows = read_csv(response)
    assert ",".join(header) == CSV_HEADER_LINE
    assert [row["name"] for row in rows] == ["f0.example", "f1.example", "f2.example"]
    first = rows[0]
    assert (first["organization"], first["tags"], first["is_active"]) == ("alpha", "a b", "true")
    assert (first["sessions_7d"], first["failure_rate_7d"], first["score"]) == ("4", "0", "")


@AS_CSV
def test_csv_errors_are_still_json(org, reader, params, headers):
    assert_invalid(reader.get(COVERAGE, {**params, "verdict": "great"}, **headers), "verdict")


# --- Query counts ---------------------------------------------------------------------------
# token lookup, its last-used update, then: page = count + the page's ids (ordered) + their
# rows + tags; CSV = domains + tags.


@pytest.mark.parametrize("count", [3, 30])
def test_a_page_costs_the_same_queries_for_3_or_30_domains(
    org, reader, count, django_assert_num_queries
):
    for i in range(count):
        domain(org, f"d{i}.example", tags=("prod",), sessions_7d=1)
    with django_assert_num_queries(6):
        assert len(names(reader.get(COVERAGE))) == count


@pytest.mark.parametrize("count", [3, 30])
def test_the_csv_costs_the_same_queries_for_3_or_30_domains(
    org, reader, count, django_assert_num_queries
):
    for i in range(count):
        domain(org, f"d{i}.example", tags=("prod",))
    with django_assert_num_queries(4):
        assert len(read_csv(reader.get(COVERAGE, {"format": "csv"}))[1]) == count


# --- Tenancy (list-only endpoint: registered in tests/tenancy.py NESTED_COVERAGE) ------------


def test_an_organization_never_sees_another_organizations_coverage(org, other_org, reader):
    domain(org, "mine.example", scan_verdict="pass")
    domain(other_org, "theirs.example", scan_verdict="fail", failed_7d=9)
    assert names(reader.get(COVERAGE, {"page_size": 1000})) == ["mine.example"]
    assert names(reader.get(COVERAGE, {"search": "theirs"})) == []
    summary = reader.get(SUMMARY).json()
    assert [row["organization"] for row in summary["organizations"]] == ["alpha"]
    assert (summary["totals"]["domains"], summary["totals"]["with_failures_7d"]) == (1, 0)
    _, rows = read_csv(reader.get(COVERAGE, {"format": "csv"}))
    assert [row["name"] for row in rows] == ["mine.example"]


def test_an_msp_sees_its_clients_and_not_another_msps_clients(msp, client_org, api_client):
    rival = OrganizationFactory(slug="rival-msp")
    rivals_client = OrganizationFactory(slug="rivals-client", managed_by=rival)
    domain(msp, "own.example")
    domain(client_org, "client.example")
    domain(rival, "rival.example")
    domain(rivals_client, "rivals-client.example")
    client = api_client(msp)
    assert names(client.get(COVERAGE)) == ["client.example", "own.example"]
    summary = client.get(SUMMARY).json()["organizations"]
    assert sorted(row["organization"] for row in summary) == ["client-one", "msp"]
    assert_invalid(client.get(COVERAGE, {"organization": "rivals-client"}), "organization")


def test_a_client_sees_neither_its_msps_nor_a_siblings_domains(msp, client_org, api_client):
    sibling = OrganizationFactory(slug="sibling", managed_by=msp)
    domain(msp, "msp.example")
    domain(client_org, "client.example")
    domain(sibling, "sibling.example")
    client = api_client(client_org)
    assert names(client.get(COVERAGE)) == ["client.example"]
    summary = client.get(SUMMARY).json()["organizations"]
    assert [row["organization"] for row in summary] == ["client-one"]
    assert_invalid(client.get(COVERAGE, {"organization": "msp"}), "organization")


@pytest.mark.parametrize("url", [COVERAGE, SUMMARY])
def test_a_read_only_token_reads_and_no_token_can_write(org, api_client, url):
    domain(org, "a.example")
    assert_read_only_endpoint(api_client, org, url)
    assert read_csv(api_client(org).get(url, {"format": "csv"}))[1]
    assert Domain.objects.filter(organization=org).count() == 1


@pytest.mark.parametrize("state", ["full", "empty"])
def test_the_fast_row_writer_matches_drfs_field_by_field_output(org, state):
    """The coverage row is built by hand for speed; it must equal what the declared fields give."""
    from rest_framework import serializers

    from portfolio.coverage import coverage_annotate
    from portfolio.coverage_serializers import CoverageRowSerializer

    now = timezone.now()
    if state == "full":
        domain(
            org,
            "xn--bcher-kva.example",
            tags=("b", "a"),
            scan_verdict="warn",
            scan_score=80,
            scan_gaps=["no_mta_sts"],
            scanned_at=now,
            last_report_at=now - timedelta(days=9),
            report_window_end=days_ago(1),
            sessions_7d=3,
            failed_7d=1,
        )
    else:
        domain(org, "plain.example")
    row = coverage_annotate(Domain.objects.filter(organization=org), now=now).get()
    fast = CoverageRowSerializer().to_representation(row)
    generic = serializers.Serializer.to_representation(CoverageRowSerializer(), row)
    assert fast == dict(generic)
