"""The domain list: server-side sorts (names in Unicode order), the coverage API's filters,
search, pages, a CSV export equal to the API's, clear messages for filters that make no sense,
and a query count that does not grow with the number of domains."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from portfolio.coverage_api import COVERAGE_COLUMNS
from tests.factories import DomainFactory, OrganizationFactory
from tests.portfolio.helpers import domain, read_csv
from tests.web.helpers import login

pytestmark = pytest.mark.django_db


def names(client, url: str, params: dict | None = None) -> list[str]:
    """The domain names of the list's rows, in the order shown."""
    response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    rows = response.content.decode().split('id="domains"')[1].split("</table>")[0]
    return re.findall(r'class="domain-name"><a [^>]*>([^<]+)</a>', rows)


@pytest.fixture
def url(org):
    return f"/o/{org.slug}/domains/"


@pytest.fixture
def viewer(client, org):
    return login(client, org, Role.VIEWER)


@pytest.fixture
def mixed(org):
    now = timezone.now()
    domain(org, "alpha.example", scan_verdict="pass", scan_score=95, tags=("eu",),
           sessions_7d=100, failed_7d=1, last_report_at=now - timedelta(hours=5))  # fmt: skip
    domain(org, "bravo.example", scan_verdict="fail", scan_score=0,
           scan_gaps=["no_record"])  # fmt: skip
    domain(org, "charlie.example", scan_verdict="warn", scan_score=60, scan_mta_sts="broken",
           scan_gaps=["mta_sts_broken"], sessions_7d=10, failed_7d=5, tags=("us",),
           last_report_at=now - timedelta(hours=1))  # fmt: skip
    domain(org, "delta.example")
    return org


def test_sorts_by_verdict_score_failure_rate_and_last_report(client, url, mixed, viewer):
    assert names(client, url, {"sort": "verdict"}) == [
        "bravo.example",  # fail
        "charlie.example",  # warn
        "delta.example",  # not yet scanned
        "alpha.example",  # pass
    ]
    assert names(client, url, {"sort": "score"})[:3] == [
        "bravo.example",
        "charlie.example",
        "alpha.example",
    ]
    assert names(client, url, {"sort": "-failure_rate_7d"})[:2] == [
        "charlie.example",
        "alpha.example",
    ]
    # Empty values last either way.
    assert names(client, url, {"sort": "-last_report_at"})[:2] == [
        "charlie.example",
        "alpha.example",
    ]
    assert names(client, url, {"sort": "last_report_at"})[:2] == [
        "alpha.example",
        "charlie.example",
    ]


def test_names_sort_in_unicode_order_not_by_a_label(client, url, org, viewer):
    DomainFactory(organization=org, name="c.example", unicode_name="c.example")
    DomainFactory(organization=org, name="xn--bcher-kva.example", unicode_name="bücher.example")
    DomainFactory(organization=org, name="a.example", unicode_name="a.example")
    assert names(client, url) == ["a.example", "bücher.example", "c.example"]
    assert names(client, url, {"sort": "-name"}) == ["c.example", "bücher.example", "a.example"]


@pytest.mark.postgres_only
def test_accented_names_sort_beside_their_plain_letters_on_postgresql(client, url, org, viewer):
    for ascii_name, shown in (
        ("bz.example", "bz.example"),
        ("xn--bcher-kva.example", "bücher.example"),
        ("bucher.example", "bucher.example"),
        ("bud.example", "bud.example"),
    ):
        DomainFactory(organization=org, name=ascii_name, unicode_name=shown)
    assert names(client, url) == ["bucher.example", "bücher.example", "bud.example", "bz.example"]


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"verdict": "fail"}, ["bravo.example"]),
        ({"verdict": "unscanned"}, ["delta.example"]),
        ({"gap": "mta_sts_broken"}, ["charlie.example"]),
        ({"tag": "eu"}, ["alpha.example"]),
        ({"mta_sts": "broken"}, ["charlie.example"]),
        ({"has_failures": "true"}, ["alpha.example", "charlie.example"]),
        ({"has_failures": "false"}, ["bravo.example", "delta.example"]),
        ({"search": "har"}, ["charlie.example"]),
        ({"search": "example  lt"}, ["delta.example"]),  # every word must match
        ({"verdict": "pass", "gap": "no_record"}, []),
    ],
)  # fmt: skip
def test_filters_and_search_narrow_the_list(client, url, mixed, viewer, params, expected):
    assert names(client, url, params) == expected


def test_no_match_says_so(client, url, mixed, viewer):
    page = client.get(url, {"verdict": "pass", "gap": "no_record"}).content.decode()
    assert "No domains match these filters." in page


def test_an_msp_filters_by_client(client, msp, client_org):
    sibling = OrganizationFactory(name="Client Two", slug="client-two", managed_by=msp)
    domain(client_org, "one.example")
    domain(sibling, "two.example")
    login(client, msp, Role.ADMIN)
    url = f"/o/{msp.slug}/domains/"
    assert names(client, url) == ["one.example", "two.example"]
    assert names(client, url, {"organization": "client-two"}) == ["two.example"]
    page = client.get(url).content.decode()
    assert '<option value="client-two">Client Two</option>' in page


def test_pages_cover_every_domain_once(client, url, org, viewer):
    for i in range(120):
        DomainFactory(organization=org, name=f"d{i:03}.example", unicode_name=f"d{i:03}.example")
    seen = []
    for number in (1, 2, 3):
        seen += names(client, url, {"page": number})
    assert seen == [f"d{i:03}.example" for i in range(120)]
    page = client.get(url, {"page": 2, "page_size": 100}).content.decode()
    assert "page 2 of 2" in page and "120 domains" in page
    assert names(client, url, {"page": 99}) == seen[100:]  # past the end: the last page


@pytest.mark.parametrize(
    "params, message",
    [
        ({"verdict": "bogus"}, "Verdict (verdict=&#x27;bogus&#x27;)"),
        ({"gap": "nope"}, "Gap (gap=&#x27;nope&#x27;)"),
        ({"has_failures": "maybe"}, "Failures (7 days)"),
        ({"organization": "outsider"}, "no organization with slug"),
        ({"sort": "colour"}, "Sort: &#x27;colour&#x27; is not a sort order"),
        ({"page_size": "7"}, "Per page: choose one of 25, 50, 100"),
    ],
)
def test_filters_that_make_no_sense_get_a_clear_message(
    client, url, mixed, other_org, viewer, params, message
):
    response = client.get(url, params)
    assert response.status_code == 400
    page = response.content.decode()
    assert "These filters cannot be applied" in page and message in page
    assert 'id="domains"' not in page


def test_a_page_number_that_is_not_a_number_shows_the_first_page(client, url, mixed, viewer):
    assert names(client, url, {"page": "abc"})[0] == "alpha.example"


def test_the_export_is_the_api_csv_of_the_same_filters(client, url, org, mixed, viewer, api_client):
    params = {"has_failures": "true"}
    header, rows = read_csv(client.get(f"{url}export.csv", params))
    api_header, api_rows = read_csv(
        api_client(org).get("/api/v1/coverage/", {**params, "format": "csv"})
    )
    assert header == api_header == list(COVERAGE_COLUMNS)
    assert rows == api_rows
    assert [row["name"] for row in rows] == ["alpha.example", "charlie.example"]


def test_the_export_button_carries_the_filters(client, url, mixed, viewer):
    page = client.get(url, {"verdict": "fail", "page": 2}).content.decode()
    assert f'href="{url}export.csv?verdict=fail" id="export-csv"' in page


def test_an_export_with_bad_filters_is_a_400_naming_them(client, url, mixed, viewer):
    response = client.get(f"{url}export.csv", {"verdict": "bogus"})
    assert response.status_code == 400
    assert "Verdict (verdict='bogus')" in response.content.decode()


def test_a_viewer_gets_no_checkboxes_a_member_does(client, url, org, mixed):
    login(client, org, Role.VIEWER)
    assert 'name="ids"' not in client.get(url).content.decode()
    login(client, org, Role.MEMBER)
    assert client.get(url).content.decode().count('name="ids"') == 4


@pytest.mark.parametrize("domains", [5, 50])
def test_the_list_costs_the_same_queries_for_5_or_50_domains(client, msp, client_org, domains):
    sibling = OrganizationFactory(name="Client Two", slug="client-two", managed_by=msp)
    for i in range(domains):
        owner = client_org if i % 2 else sibling
        domain(owner, f"d{i}.example", scan_verdict="warn", tags=("eu", "vip"), failed_7d=i)
    login(client, msp, Role.ADMIN)
    url = f"/o/{msp.slug}/domains/?tag=eu&sort=-failure_rate_7d&organization=client-one"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    # session + user, organization + membership, the organization filter's slug, the count,
    # the page's keys, its rows, their tags, the client choices, the tag choices, and the
    # header: the organization switcher and the quarantine badge.
    assert len(queries) == 13
