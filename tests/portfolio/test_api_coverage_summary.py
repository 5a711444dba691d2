"""The coverage summary API: domains per verdict and per gap for each organization a token
reaches, with totals; the list's filters apply. Tenant separation: test_api_coverage.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from portfolio.coverage import GAP_KINDS as GAPS
from portfolio.coverage import MTA_STS_STATUSES, VERDICTS
from tests.factories import OrganizationFactory
from tests.portfolio.helpers import domain, read_csv

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/coverage/summary/"


def counts(keys, **nonzero) -> dict[str, int]:
    return {key: nonzero.get(key, 0) for key in keys}


def test_an_msp_summary_counts_verdicts_and_gaps_per_client(msp, client_org, api_client, settings):
    settings.TLSMON_REPORTS_SILENT_DAYS = 3
    sibling = OrganizationFactory(name="Client Two", slug="client-two", managed_by=msp)
    long_ago = timezone.now() - timedelta(days=30)
    domain(msp, "own.example", scan_verdict="pass", last_report_at=timezone.now())
    domain(client_org, "a.example", scan_verdict="fail", scan_gaps=["no_record", "no_mta_sts"])
    domain(client_org, "b.example", scan_verdict="pass", added_at=long_ago, failed_7d=3)
    domain(client_org, "c.example")
    domain(sibling, "d.example", scan_verdict="warn", scan_gaps=["no_mta_sts"], added_at=long_ago)
    body = api_client(msp).get(SUMMARY).json()
    assert body["silent_after_days"] == 3
    by_org = {row["organization"]: row for row in body["organizations"]}
    assert [row["organization"] for row in body["organizations"]] == [
        "client-one",  # by name: Client One, Client Two, Managed Services Ltd
        "client-two",
        "msp",
    ]
    client_one = by_org["client-one"]
    assert [client_one[k] for k in ("name", "domains", "with_failures_7d")] == ["Client One", 3, 1]
    assert client_one["verdicts"] == counts(VERDICTS, fail=1, unscanned=1, **{"pass": 1})
    assert client_one["gaps"] == counts(GAPS, no_record=1, no_mta_sts=1, reports_silent=1)
    assert by_org["client-two"]["gaps"] == counts(GAPS, no_mta_sts=1, reports_silent=1)
    assert by_org["msp"]["verdicts"] == counts(VERDICTS, **{"pass": 1})


def test_the_summary_totals_add_up_the_organizations(msp, client_org, api_client):
    domain(msp, "own.example", scan_verdict="pass", failed_7d=1)
    domain(client_org, "a.example", scan_verdict="fail", scan_gaps=["no_record", "dns_error"])
    domain(client_org, "b.example", scan_verdict="fail", scan_gaps=["no_record"])
    body = api_client(msp).get(SUMMARY).json()
    rows, totals = body["organizations"], body["totals"]
    assert (totals["domains"], totals["with_failures_7d"]) == (3, 1)
    for group in ("domains", "with_failures_7d"):
        assert totals[group] == sum(row[group] for row in rows)
    for group in ("verdicts", "mta_sts", "gaps"):
        assert totals[group] == {k: sum(row[group][k] for row in rows) for k in totals[group]}
    assert totals["gaps"] == counts(GAPS, no_record=2, dns_error=1)


def test_the_summary_counts_the_mta_sts_status_beside_the_verdict(org, api_client):
    """A pass with broken MTA-STS is a pass for the verdict and broken for MTA-STS; a domain
    without mail has no MTA-STS status, an unscanned one is unscanned on both axes."""
    domain(org, "a.example", scan_verdict="pass", scan_mta_sts="broken")
    domain(org, "b.example", scan_verdict="pass", scan_mta_sts="enforce")
    domain(org, "c.example", scan_verdict="not_applicable", scan_mta_sts="")
    domain(org, "d.example")
    totals = api_client(org).get(SUMMARY).json()["totals"]
    assert totals["verdicts"] == counts(VERDICTS, not_applicable=1, unscanned=1, **{"pass": 2})
    assert totals["mta_sts"] == counts(
        MTA_STS_STATUSES, broken=1, enforce=1, not_applicable=1, unscanned=1
    )


def test_the_list_filters_apply_to_the_summary(msp, client_org, api_client):
    domain(msp, "own.example", scan_verdict="fail", tags=("prod",))
    domain(client_org, "a.example", scan_verdict="fail")
    domain(client_org, "b.example", scan_verdict="pass", tags=("prod",))
    client = api_client(msp)
    failing = client.get(SUMMARY, {"verdict": "fail", "organization": "client-one"}).json()
    found = [(row["organization"], row["domains"]) for row in failing["organizations"]]
    assert found == [("client-one", 1)]
    tagged = client.get(SUMMARY, {"tag": "prod"}).json()
    assert tagged["totals"]["domains"] == 2
    assert tagged["totals"]["verdicts"] == counts(VERDICTS, fail=1, **{"pass": 1})


def test_the_summary_as_csv_has_one_line_per_organization(msp, client_org, api_client):
    domain(msp, "own.example", scan_verdict="pass")
    domain(client_org, "client.example", scan_verdict="fail", scan_gaps=["no_record"])
    header, rows = read_csv(api_client(msp).get(SUMMARY, {"format": "csv"}))
    assert header[:4] == ["organization", "name", "domains", "with_failures_7d"]
    assert [(r["organization"], r["verdict_fail"], r["gap_no_record"]) for r in rows] == [
        ("client-one", "1", "1"),
        ("msp", "0", "0"),
    ]


def test_a_client_tokens_summary_covers_only_its_own_domains(msp, client_org, api_client):
    domain(msp, "own.example", scan_verdict="pass")
    domain(client_org, "a.example", scan_verdict="fail", scan_gaps=["no_record"])
    body = api_client(client_org).get(SUMMARY).json()
    assert [row["organization"] for row in body["organizations"]] == ["client-one"]
    assert body["totals"]["verdicts"] == counts(VERDICTS, fail=1)


def test_an_organization_without_domains_has_an_empty_summary(org, api_client):
    body = api_client(org).get(SUMMARY).json()
    assert body["organizations"] == []
    assert body["totals"] == {
        "domains": 0,
        "with_failures_7d": 0,
        "verdicts": counts(VERDICTS),
        "mta_sts": counts(MTA_STS_STATUSES),
        "gaps": counts(GAPS),
    }


@pytest.mark.parametrize("count", [3, 30])
def test_the_summary_costs_the_same_queries_for_3_or_30_domains(
    msp, client_org, api_client, count, django_assert_num_queries
):
    client = api_client(msp)
    client.get(SUMMARY)  # the token's last-used update happens here, once
    for i in range(count):
        domain(client_org if i % 2 else msp, f"d{i}.example", tags=("prod",))
    # token lookup, one grouped query
    with django_assert_num_queries(2):
        assert client.get(SUMMARY).json()["totals"]["domains"] == count
