"""The organization dashboard: its figures are the coverage summary and trends APIs' figures,
an MSP sees its clients, an empty organization gets the first step, and the page costs the
same number of queries for 5 domains as for 50."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from tests.factories import OrganizationFactory
from tests.portfolio.helpers import days_ago, domain, ingest, policy
from tests.web.helpers import login

pytestmark = pytest.mark.django_db


def tiles(page: str) -> dict[str, int]:
    """data-key -> the figure of each tile."""
    pattern = r'data-key="([\w-]+)"><span class="figure">([\d.]+)'
    return {key: int(value) for key, value in re.findall(pattern, page) if "." not in value}


def table(page: str, table_id: str) -> str:
    return page.split(f'id="{table_id}"')[1].split("</table>")[0]


@pytest.fixture
def portfolio(msp, client_org):
    """An MSP with two clients and its own domain, in every verdict, with a few gaps."""
    sibling = OrganizationFactory(name="Client Two", slug="client-two", managed_by=msp)
    domain(msp, "own.example", scan_verdict="pass", scan_score=100)
    domain(client_org, "a.example", scan_verdict="fail", scan_gaps=["no_record", "no_mta_sts"])
    domain(client_org, "b.example", scan_verdict="warn", scan_gaps=["mta_sts_broken"])
    domain(client_org, "c.example")
    domain(sibling, "d.example", scan_verdict="not_applicable")
    domain(sibling, "e.example", scan_verdict="error", scan_gaps=["dns_error"])
    domain(sibling, "f.example", scan_verdict="pass", scan_gaps=["mta_sts_testing"])
    return sibling


def test_the_tiles_and_gaps_equal_the_coverage_summary_api(
    client, msp, portfolio, api_client, settings
):
    settings.TLSMON_REPORTS_SILENT_DAYS = 3
    login(client, msp, Role.ADMIN)
    page = client.get(f"/o/{msp.slug}/").content.decode()
    totals = api_client(msp).get("/api/v1/coverage/summary/").json()["totals"]
    shown = tiles(page)
    assert shown["domains"] == totals["domains"] == 7
    for verdict, count in totals["verdicts"].items():
        assert shown[verdict] == count, verdict
    assert shown["with-failures-7d"] == totals["with_failures_7d"]
    gaps = table(page, "gaps")
    for kind, count in totals["gaps"].items():
        row = gaps.split(f'data-key="{kind}"')[1].split("</tr>")[0]
        assert f">{count}<" in row, kind


def test_the_verdict_tiles_read_in_the_vocabularys_order_and_words(client, msp, portfolio):
    login(client, msp, Role.ADMIN)
    page = client.get(f"/o/{msp.slug}/").content.decode()
    pattern = r'class="tile verdict-tile [\w]+" [^>]*><span class="figure">\d+</span>([^<]+)</a>'
    assert re.findall(pattern, page) == [
        "Pass",
        "Warn",
        "Fail",
        "Not applicable",
        "Error (could not tell)",
        "Not yet scanned",
    ]


def test_gap_counts_and_tiles_link_to_the_filtered_domain_list(client, msp, portfolio):
    login(client, msp, Role.ADMIN)
    page = client.get(f"/o/{msp.slug}/").content.decode()
    assert f'href="/o/{msp.slug}/domains/?gap=no_record">1</a>' in page
    assert f'href="/o/{msp.slug}/domains/?verdict=fail" data-key="fail"' in page
    listed = client.get(f"/o/{msp.slug}/domains/?gap=no_record").content.decode()
    assert "a.example" in listed and "b.example" not in listed


def test_an_msp_dashboard_has_a_row_per_client(client, msp, client_org, portfolio):
    login(client, msp, Role.OWNER)
    clients = table(client.get(f"/o/{msp.slug}/").content.decode(), "clients")
    assert re.findall(r'data-org="([\w-]+)"', clients) == [
        "client-one",
        "client-two",
        "msp",
    ]
    row = clients.split('data-org="client-one"')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="num">(?:<a [^>]*>)?(\d+)', row)
    # domains, pass, warn, fail, not applicable, error, not yet scanned, with failures
    assert cells == ["3", "0", "1", "1", "0", "0", "1", "0"]


def test_a_client_dashboard_shows_only_that_client(client, msp, client_org, portfolio):
    login(client, msp, Role.ADMIN)
    page = client.get(f"/o/{client_org.slug}/").content.decode()
    assert tiles(page)["domains"] == 3
    assert 'id="clients"' not in page


@pytest.fixture
def reported(org):
    """Reports over the last days: successes everywhere, failures of two result types."""
    a = domain(org, "a.example", scan_verdict="pass")
    b = domain(org, "b.example", scan_verdict="warn", scan_score=70)
    domain(org, "quiet.example", scan_verdict="pass")
    expired = ("certificate-expired", "mx.a.example", 4)
    mismatch = ("certificate-host-mismatch", "mx.b.example", 2)
    ingest(org, days_ago(2), policy("a.example", 90, 4, details=[expired]))
    ingest(org, days_ago(3), policy("b.example", 50, 2, details=[mismatch]))
    ingest(org, days_ago(40), policy("a.example", 10, 10, details=[(*expired[:2], 10)]))
    return a, b


def test_the_sessions_and_the_chart_equal_the_trends_api(client, org, reported, api_client):
    login(client, org, Role.VIEWER)
    page = client.get(f"/o/{org.slug}/").content.decode()
    body = api_client(org).get("/api/v1/trends/", {"group_by": "result_type"}).json()
    shown = tiles(page)
    assert shown["sessions"] == body["total"]["sessions"] == 146
    assert shown["failed"] == body["total"]["failed"] == 6
    assert "4.1 %" in page  # 6 / 146
    chart = page.split('id="chart-data"')[1]
    footer = chart.split("<tfoot>")[1].split("</tfoot>")[0]
    totals = re.findall(r'<td class="num">(\d+)</td>', footer)
    assert [int(t) for t in totals] == [g["total"]["failed"] for g in body["groups"]]
    assert "Certificate expired" in chart and "Certificate name mismatch" in chart
    assert 'aria-labelledby="failure-chart-title failure-chart-desc"' in page


def test_an_msp_chart_is_split_by_client(client, msp, client_org, api_client):
    sibling = OrganizationFactory(name="Client Two", slug="client-two", managed_by=msp)
    domain(client_org, "a.example")
    domain(sibling, "b.example")
    ingest(client_org, days_ago(1), policy("a.example", 10, 3))
    ingest(sibling, days_ago(1), policy("b.example", 10, 1))
    login(client, msp, Role.ADMIN)
    page = client.get(f"/o/{msp.slug}/").content.decode()
    chart = page.split('id="chart-data"')[1]
    assert "Failed sessions per day by client" in chart
    header = chart.split("</thead>")[0]
    assert header.index("Client One") < header.index("Client Two")
    body = api_client(msp).get("/api/v1/trends/", {"group_by": "organization"}).json()
    assert {g["label"]: g["total"]["failed"] for g in body["groups"]} == {
        "Client One": 3,
        "Client Two": 1,
    }


def test_the_ten_worst_domains_have_the_most_failures_then_the_worst_records(client, org):
    for i in range(12):
        domain(org, f"fail{i:02}.example", scan_verdict="fail", scan_score=0)
    domain(org, "failing-sessions.example", scan_verdict="pass", failed_30d=5, sessions_30d=10)
    domain(org, "warn.example", scan_verdict="warn", scan_score=60)
    domain(org, "fine.example", scan_verdict="pass")
    login(client, org, Role.VIEWER)
    worst = table(client.get(f"/o/{org.slug}/").content.decode(), "worst")
    names = re.findall(r">([\w.-]+\.example)</a>", worst)
    assert names[0] == "failing-sessions.example"
    assert names[1:] == [f"fail{i:02}.example" for i in range(9)]
    assert "50.0 %" in worst


def test_an_empty_organization_gets_the_first_step_not_empty_tables(client, org):
    login(client, org, Role.MEMBER)
    page = client.get(f"/o/{org.slug}/").content.decode()
    assert "Add your first domains" in page
    assert "<table" not in page


def test_a_viewer_of_an_empty_organization_is_told_whom_to_ask(client, org):
    login(client, org, Role.VIEWER)
    page = client.get(f"/o/{org.slug}/").content.decode()
    assert 'id="add-first-domains"' not in page
    assert "Ask a member or an admin" in page


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("domains", [5, 50])
def test_the_dashboard_costs_the_same_queries_for_5_or_50_domains(client, msp, client_org, domains):
    sibling = OrganizationFactory(name="Client Two", slug="client-two", managed_by=msp)
    for i in range(domains):
        owner = client_org if i % 2 else sibling
        domain(owner, f"d{i}.example", scan_verdict="fail", tags=("eu",), failed_30d=i)
        ingest(owner, days_ago(1 + i % 5), policy(f"d{i}.example", 10, 1))
    login(client, msp, Role.ADMIN)
    client.get(f"/o/{msp.slug}/")  # the session's first read is not the page's cost
    # session + user, organization + membership, the summary, the trend's totals per day,
    # the top clients and their series, the clients' names, the worst domains.
    assert _count_queries(client, f"/o/{msp.slug}/") == 12


@pytest.mark.parametrize("domains", [5, 50])
def test_a_single_organizations_dashboard_costs_the_same_queries_for_5_or_50(client, org, domains):
    for i in range(domains):
        domain(org, f"d{i}.example", scan_verdict="warn", failed_30d=i)
        detail = ("certificate-expired" if i % 2 else "starttls-not-supported", None, 1)
        ingest(org, days_ago(1 + i % 5), policy(f"d{i}.example", 10, 1, details=[detail]))
    login(client, org, Role.VIEWER)
    client.get(f"/o/{org.slug}/")
    # session + user, organization + membership, the summary, the trend's totals per day, the
    # top result types and their series, the failure details' totals per day, the worst domains.
    assert _count_queries(client, f"/o/{org.slug}/") == 12


def test_the_first_step_links_to_onboarding_once_it_exists(client, org, settings):
    settings.ROOT_URLCONF = "tests.web.urls_with_domain_add"
    login(client, org, Role.MEMBER)
    page = client.get(f"/o/{org.slug}/").content.decode()
    assert f'href="/o/{org.slug}/domains/add/" id="add-first-domains"' in page
