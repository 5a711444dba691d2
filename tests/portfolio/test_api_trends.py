"""The trends API: sessions and failure rate per day or week, split into top groups, for a
domain, a tag, an organization or a whole portfolio; built from reports ingested for real."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from reports.models import Channel
from reports.services import report_ingest_bytes
from tests.factories import OrganizationFactory
from tests.portfolio.helpers import (
    assert_invalid,
    assert_read_only_endpoint,
    days_ago,
    domain,
    ingest,
    policy,
    read_csv,
)
from tests.reports.samples import SAMPLES_DIR

pytestmark = pytest.mark.django_db

TRENDS = "/api/v1/trends/"
# The same domains asked two ways: the portfolio reads the organization-day tables, a tag
# the domain-day tables.
TARGETS = pytest.mark.parametrize("target", [{}, {"tag": "all"}], ids=["portfolio", "tag"])


def trend(client, **params) -> dict:
    response = client.get(TRENDS, params)
    assert response.status_code == 200, response.content
    return response.json()


def series(points: list[dict]) -> list[tuple]:
    return [(p["period"], p["successful"], p["failed"]) for p in points]


def groups(body: dict) -> dict[str, dict]:
    """label -> the group's total."""
    return {g["label"]: g["total"] for g in body["groups"]}


def day(n: int) -> str:
    return days_ago(n).isoformat()


@pytest.fixture
def reader(org, api_client):
    return api_client(org)


# --- Points ---------------------------------------------------------------------------------


def test_day_points_fill_the_window_with_zeros_where_nothing_was_reported(org, reader):
    domain(org, "a.example")
    ingest(org, days_ago(3), policy("a.example", 8, 2))
    ingest(org, days_ago(1), policy("a.example", 10, 0))
    ingest(org, days_ago(6), policy("a.example", 99, 99))  # before the window
    ingest(org, days_ago(0), policy("a.example", 99, 99))  # today: not a complete day
    body = trend(reader, days=5)
    assert (body["start"], body["end"], body["interval"]) == (day(5), day(1), "day")
    assert series(body["points"]) == [
        (day(5), 0, 0),
        (day(4), 0, 0),
        (day(3), 8, 2),
        (day(2), 0, 0),
        (day(1), 10, 0),
    ]
    assert body["points"][2]["failure_rate"] == pytest.approx(0.2)
    assert (body["points"][0]["sessions"], body["points"][0]["failure_rate"]) == (0, None)
    assert body["total"] == {
        "successful": 18,
        "failed": 2,
        "sessions": 20,
        "failure_rate": pytest.approx(0.1),
    }


def test_the_default_window_is_the_30_complete_days_ending_yesterday(org, reader):
    body = trend(reader)
    assert (body["start"], body["end"], len(body["points"])) == (day(30), day(1), 30)
    assert (body["group_by"], body["groups"]) == (None, [])


def test_start_and_end_choose_the_window(org, reader):
    domain(org, "a.example")
    ingest(org, days_ago(40), policy("a.example", 7, 1))
    body = trend(reader, start=day(41), end=day(39))
    assert series(body["points"]) == [(day(41), 0, 0), (day(40), 7, 1), (day(39), 0, 0)]


@TARGETS
def test_weeks_start_on_monday_and_add_up_their_days(org, reader, target):
    domain(org, "a.example", tags=("all",))
    for n, failed in ((2, 1), (5, 2), (9, 4), (16, 8), (20, 16)):
        ingest(org, days_ago(n), policy("a.example", 10, failed))
    window = {"start": day(20), "end": day(1), **target}
    weekly = trend(reader, interval="week", **window)
    daily = trend(reader, **window)
    expected: dict[str, list[int]] = {}
    for p in daily["points"]:
        when = date.fromisoformat(p["period"])
        monday = (when - timedelta(days=when.weekday())).isoformat()
        expected.setdefault(monday, [0, 0])
        expected[monday][0] += p["successful"]
        expected[monday][1] += p["failed"]
    assert series(weekly["points"]) == [(m, ok, failed) for m, (ok, failed) in expected.items()]
    assert all(date.fromisoformat(p["period"]).weekday() == 0 for p in weekly["points"])
    assert weekly["points"][0]["period"] <= day(20)
    assert weekly["total"]["failed"] == daily["total"]["failed"] == 31


# --- Groups ---------------------------------------------------------------------------------


@TARGETS
def test_group_by_result_type_splits_failed_sessions_only(org, reader, target):
    domain(org, "a.example", tags=("all",))
    domain(org, "b.example", tags=("all",))
    expired, starttls = "certificate-expired", "starttls-not-supported"
    details = ((expired, "mx1.a.example", 6), (starttls, "mx2.a.example", 4))
    ingest(org, days_ago(2), policy("a.example", 90, 10, details=details))
    ingest(org, days_ago(1), policy("b.example", 50, 3, details=((expired, "mx.b.example", 3),)))
    body = trend(reader, days=7, group_by="result_type", **target)
    assert body["group_by"] == "result_type"
    assert [(g["key"], g["label"]) for g in body["groups"]] == [(expired, expired), (starttls,) * 2]
    assert groups(body)[expired] == {
        "successful": None,
        "failed": 9,
        "sessions": None,
        "failure_rate": None,
    }
    assert series(body["groups"][1]["points"])[-2:] == [(day(2), None, 4), (day(1), None, 0)]
    assert (body["total"]["successful"], body["total"]["failed"]) == (140, 13)


@TARGETS
def test_group_by_receiving_mx_names_failures_without_a_host(org, reader, target):
    domain(org, "a.example", tags=("all",))
    details = (("validation-failure", "mx1.a.example", 5), ("validation-failure", None, 2))
    ingest(org, days_ago(1), policy("a.example", 10, 7, details=details))
    body = trend(reader, days=3, group_by="receiving_mx", **target)
    assert [(g["key"], g["label"], g["total"]["failed"]) for g in body["groups"]] == [
        ("mx1.a.example", "mx1.a.example", 5),
        ("", "(none reported)", 2),
    ]
    assert all(g["total"]["successful"] is None for g in body["groups"])


@TARGETS
def test_group_by_reporter_has_full_sessions_per_reporter(org, reader, target):
    domain(org, "a.example", tags=("all",))
    ingest(org, days_ago(1), policy("a.example", 95, 5), reporter="Google Inc.")
    ingest(org, days_ago(1), policy("a.example", 40, 10), reporter="Microsoft Corporation")
    body = trend(reader, days=3, group_by="reporter", **target)
    totals = [(label, t["successful"], t["failed"]) for label, t in groups(body).items()]
    assert totals == [("Microsoft Corporation", 40, 10), ("Google Inc.", 95, 5)]  # most failed
    assert groups(body)["Microsoft Corporation"]["failure_rate"] == pytest.approx(0.2)


@TARGETS
def test_top_1_keeps_the_worst_domain_and_adds_the_rest_up_as_other(org, reader, target):
    worst, *_ = (domain(org, f"{n}.example", tags=("all",)) for n in ("worst", "mid", "fine"))
    ingest(org, days_ago(1), policy("worst.example", 10, 9), policy("mid.example", 10, 2))
    ingest(org, days_ago(2), policy("fine.example", 30, 0))
    body = trend(reader, days=3, group_by="domain", top=1, **target)
    assert [(g["key"], g["label"]) for g in body["groups"]] == [
        (str(worst.pk), "worst.example"),
        ("other", "everything else"),
    ]
    other = groups(body)["everything else"]
    assert (other["successful"], other["failed"]) == (40, 2)


def test_top_1_of_result_types_leaves_the_other_failures_without_successes(org, reader):
    domain(org, "a.example")
    details = (("sts-policy-invalid", "mx.a.example", 5), ("tlsa-invalid", "mx.a.example", 1))
    ingest(org, days_ago(1), policy("a.example", 10, 6, details=details))
    body = trend(reader, days=2, group_by="result_type", top=1)
    totals = [(label, t["successful"], t["failed"]) for label, t in groups(body).items()]
    assert totals == [("sts-policy-invalid", None, 5), ("everything else", None, 1)]


@TARGETS
def test_a_microsoft_style_sts_and_tlsa_pair_counts_once(org, reader, target):
    domain(org, "a.example", tags=("all",))
    details = (("certificate-expired", "mx.a.example", 2),)
    ingest(
        org,
        days_ago(1),
        policy("a.example", 10, 2, details=details),
        policy("a.example", 10, 2, policy_type="tlsa", details=details),
        reporter="Microsoft Corporation",
    )
    body = trend(reader, days=2, group_by="result_type", **target)
    assert (body["total"]["sessions"], body["total"]["failed"]) == (12, 2)
    assert groups(body)["certificate-expired"]["failed"] == 2


def test_the_real_microsoft_sample_counts_its_sts_and_tlsa_twins_once(org, reader):
    random_net = domain(org, "random.net")
    report_ingest_bytes(
        organization=org,
        payload=(SAMPLES_DIR / "dmarc-report-viewer/microsoft.json").read_bytes(),
        channel=Channel.FILE,
        source="microsoft.json",
    )
    for target in ({}, {"domain": random_net.pk}):
        body = trend(reader, start="2025-05-23", end="2025-05-23", group_by="reporter", **target)
        assert series(body["points"]) == [("2025-05-23", 2, 0)]
        assert groups(body)["Microsoft Corporation"]["sessions"] == 2


# --- Targets --------------------------------------------------------------------------------


@pytest.fixture
def portfolio(msp, client_org):
    """An MSP with one domain and a client with two (failed sessions 1, 2 and 4)."""
    domain(msp, "own.example")
    tagged = domain(client_org, "a.example", tags=("prod",))
    domain(client_org, "b.example")
    ingest(msp, days_ago(1), policy("own.example", 10, 1))
    ingest(client_org, days_ago(1), policy("a.example", 10, 2), policy("b.example", 10, 4))
    return tagged


@pytest.mark.parametrize(
    ("params", "failed"),
    [
        ({}, 7),  # the MSP's portfolio adds its clients
        ({"organization": "client-one"}, 6),
        ({"organization": "msp"}, 1),
        ({"tag": "prod"}, 2),
        ({"domain": "tagged"}, 2),
        ({"organization": "client-one", "tag": "prod"}, 2),
        ({"organization": "msp", "tag": "prod"}, 0),
    ],
    ids=["portfolio", "client", "msp-itself", "tag", "domain", "client-and-tag", "msp-and-tag"],
)
def test_a_domain_a_tag_or_an_organization_narrows_the_trend(
    msp, portfolio, api_client, params, failed
):
    if params.get("domain") == "tagged":
        params = {"domain": portfolio.pk}
    assert trend(api_client(msp), days=2, **params)["total"]["failed"] == failed


# --- Validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"domain": 1, "tag": "prod"}, "tag"),
        ({"start": "2026-02-10", "end": "2026-02-01"}, "start"),
        ({"start": "2025-01-01", "end": "2026-01-02"}, "start"),  # 367 days
        ({"days": 367}, "days"),
        ({"days": 0}, "days"),
        ({"start": "last week"}, "start"),
        ({"group_by": "country"}, "group_by"),
        ({"interval": "month"}, "interval"),
        ({"top": 0}, "top"),
        ({"organization": "nobody"}, "organization"),
    ],
    ids=lambda v: "&".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else None,
)
def test_bad_query_values_are_a_400_naming_the_field(org, reader, params, field):
    assert_invalid(reader.get(TRENDS, params), field)


def test_366_days_is_the_longest_window(org, reader):
    body = trend(reader, start="2025-01-01", end="2026-01-01")
    assert len(body["points"]) == 366


def test_another_tenants_domain_is_refused_like_an_unknown_one(org, other_org, reader):
    theirs = domain(other_org, "theirs.example")
    ingest(other_org, days_ago(1), policy("theirs.example", 10, 5))
    refused = assert_invalid(reader.get(TRENDS, {"domain": theirs.pk}), "domain")
    unknown = assert_invalid(reader.get(TRENDS, {"domain": theirs.pk + 1000}), "domain")
    assert refused == unknown
    assert "theirs" not in str(refused)


# --- CSV ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "headers"),
    [({"format": "csv"}, {}), ({}, {"HTTP_ACCEPT": "text/csv"})],
    ids=["format-param", "accept-header"],
)
def test_csv_has_the_total_series_then_each_groups(org, reader, params, headers):
    domain(org, "a.example")
    ingest(org, days_ago(1), policy("a.example", 3, 1))
    response = reader.get(TRENDS, {**params, "days": 2, "group_by": "reporter"}, **headers)
    header, rows = read_csv(response)
    assert header == ["period", "group", "successful", "failed", "sessions", "failure_rate"]
    assert [tuple(row.values()) for row in rows] == [
        (day(2), "", "0", "0", "0", ""),
        (day(1), "", "3", "1", "4", "0.25"),
        (day(2), "Google Inc.", "0", "0", "0", ""),
        (day(1), "Google Inc.", "3", "1", "4", "0.25"),
    ]


def test_csv_cells_from_a_report_cannot_start_a_spreadsheet_formula(org, reader):
    """Anyone can mail a report to a published rua address: its reporter name must not become
    a formula when an operator opens the export in a spreadsheet (OWASP CSV injection)."""
    domain(org, "a.example")
    ingest(org, days_ago(1), policy("a.example", 1, 1), reporter='=HYPERLINK("http://x.test")')
    _, rows = read_csv(reader.get(TRENDS, {"days": 1, "group_by": "reporter", "format": "csv"}))
    assert rows[1]["group"] == '\'=HYPERLINK("http://x.test")'


def test_csv_errors_are_still_json(org, reader):
    assert_invalid(reader.get(TRENDS, {"format": "csv", "days": 0}), "days")


# --- Tenancy (list-only endpoint: registered in tests/tenancy.py NESTED_COVERAGE) ------------


def test_an_organization_never_sees_another_organizations_sessions(org, other_org, reader):
    domain(org, "mine.example")
    domain(other_org, "theirs.example")
    ingest(org, days_ago(1), policy("mine.example", 10, 1))
    ingest(other_org, days_ago(1), policy("theirs.example", 50, 50), reporter="Elsewhere Mail")
    assert trend(reader, days=2)["total"]["sessions"] == 11
    by_domain = trend(reader, days=2, group_by="domain")
    assert [g["label"] for g in by_domain["groups"]] == ["mine.example"]
    by_reporter = trend(reader, days=2, group_by="reporter")
    assert [g["label"] for g in by_reporter["groups"]] == ["Google Inc."]
    _, rows = read_csv(reader.get(TRENDS, {"days": 2, "format": "csv"}))
    assert [row["sessions"] for row in rows] == ["0", "11"]


def test_an_msp_sees_its_clients_and_not_another_msps(msp, portfolio, api_client):
    rival = OrganizationFactory(slug="rival-msp")
    rivals_client = OrganizationFactory(slug="rivals-client", managed_by=rival)
    domain(rivals_client, "rival.example")
    ingest(rivals_client, days_ago(1), policy("rival.example", 100, 100))
    client = api_client(msp)
    assert trend(client, days=2)["total"]["failed"] == 7
    assert_invalid(client.get(TRENDS, {"organization": "rivals-client"}), "organization")


def test_group_by_organization_splits_an_msp_portfolio_by_client(msp, client_org, api_client):
    sibling = OrganizationFactory(name="Sibling", slug="sibling", managed_by=msp)
    domain(client_org, "a.example")
    domain(sibling, "s.example")
    ingest(client_org, days_ago(1), policy("a.example", 10, 4))
    ingest(sibling, days_ago(1), policy("s.example", 20, 1))
    rivals_client = OrganizationFactory(slug="rivals-client", managed_by=OrganizationFactory())
    domain(rivals_client, "rival.example")
    ingest(rivals_client, days_ago(1), policy("rival.example", 100, 100))
    body = trend(api_client(msp), days=2, group_by="organization")
    assert [(g["key"], g["label"]) for g in body["groups"]] == [
        (str(client_org.pk), client_org.name),
        (str(sibling.pk), "Sibling"),
    ]
    assert [g["total"]["sessions"] for g in body["groups"]] == [14, 21]


def test_a_client_sees_neither_its_msps_nor_a_siblings_sessions(
    msp, client_org, portfolio, api_client
):
    sibling = OrganizationFactory(slug="sibling", managed_by=msp)
    domain(sibling, "sibling.example")
    ingest(sibling, days_ago(1), policy("sibling.example", 100, 100))
    client = api_client(client_org)
    assert trend(client, days=2)["total"]["failed"] == 6
    by_domain = trend(client, days=2, group_by="domain")
    assert sorted(g["label"] for g in by_domain["groups"]) == ["a.example", "b.example"]
    assert_invalid(client.get(TRENDS, {"organization": "msp"}), "organization")


def test_a_read_only_token_reads_and_no_token_can_write(org, api_client):
    assert_read_only_endpoint(api_client, org, TRENDS)


# --- Cost -----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 12])
@pytest.mark.parametrize(
    ("params", "queries"),
    [
        # token lookup + last-used update, then the totals series
        ({"days": 90}, 3),
        # + the top groups, their series, the details' own day totals
        ({"days": 90, "group_by": "result_type"}, 6),
        # domains: the top groups, their series, the domains' names
        ({"days": 90, "group_by": "domain", "tag": "all"}, 6),
    ],
    ids=["portfolio", "by-result-type", "tag-by-domain"],
)
def test_a_trend_costs_the_same_queries_for_few_or_many_domains(
    org, reader, count, params, queries, django_assert_num_queries
):
    for i in range(count):
        domain(org, f"d{i}.example", tags=("all",))
        ingest(
            org,
            days_ago(2),
            policy(f"d{i}.example", 10, 1, details=[("validation-failure", "mx", 1)]),
        )
    with django_assert_num_queries(queries):
        assert trend(reader, **params)["total"]["failed"] == count
