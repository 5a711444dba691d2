"""The authorizations API: per domain and external rua destination, whether the destination
publishes ``<domain>._report._tls.<host>`` (a vendor convention, not RFC 8460), as the last
readable scan saw it; and the summary of what is still to publish."""

from __future__ import annotations

import pytest

from tests.factories import OrganizationFactory
from tests.portfolio.helpers import (
    assert_invalid,
    assert_read_only_endpoint,
    break_dns,
    domain,
    publish,
    read_csv,
    scan,
)
from tests.scans.fakes import FakeResolver

pytestmark = pytest.mark.django_db

AUTHORIZATIONS = "/api/v1/authorizations/"
SUMMARY = "/api/v1/authorizations/summary/"
TLSMON = "reports.tlsmon.example"


@pytest.fixture(autouse=True)
def _report_domain(settings):
    settings.TLSMON_REPORT_DOMAIN = TLSMON


@pytest.fixture
def reader(org, api_client):
    return api_client(org)


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def statuses(response) -> list[tuple[str, str, str]]:
    return [(r["domain"], r["rua_host"], r["status"]) for r in rows(response)]


@pytest.fixture
def shop(org):
    """shop.example sends reports to five external hosts and itself, then is scanned."""
    shop = domain(org, "shop.example", tags=("retail",))
    rua = ",".join(
        [
            "mailto:a@authorized.net",
            "mailto:b@wild.net",
            "mailto:c@missing.net",
            "mailto:d@broken.net",
            "mailto:tlsrpt@shop.example",
            f"mailto:{org.report_token}@{TLSMON}",
        ]
    )
    resolver = publish(
        FakeResolver(),
        "shop.example",
        rua,
        authorized=("authorized.net",),
        wildcard=("wild.net",),
        lookup_error=("broken.net",),
    )
    scan(shop, resolver=resolver)
    return shop


# --- Rows from scans ------------------------------------------------------------------------


def test_each_destination_of_the_last_scan_is_a_row_with_its_status(org, shop, reader):
    found = [(r["rua_host"], r["status"], r["is_tlsmon"]) for r in rows(reader.get(AUTHORIZATIONS))]
    assert found == [
        ("authorized.net", "authorized", False),
        ("broken.net", "lookup_error", False),
        ("missing.net", "missing", False),
        (TLSMON, "missing", True),
        ("shop.example", "not_needed", False),  # not external: no record needed
        ("wild.net", "wildcard_authorized", False),
    ]
    missing = rows(reader.get(AUTHORIZATIONS, {"rua_host": "missing.net"}))[0]
    assert missing["domain"] == "shop.example" and missing["domain_id"] == shop.pk
    assert (missing["organization"], missing["uri"]) == ("alpha", "mailto:c@missing.net")
    assert missing["record_name"] == "shop.example._report._tls.missing.net"
    assert missing["checked_at"]


def test_a_later_scan_replaces_the_rows(org, shop, reader):
    resolver = publish(FakeResolver(), "shop.example", "mailto:x@new-vendor.net")
    scan(shop, resolver=resolver)
    assert statuses(reader.get(AUTHORIZATIONS)) == [("shop.example", "new-vendor.net", "missing")]


def test_a_scan_that_removed_the_record_leaves_no_rows(org, shop, reader):
    scan(shop, resolver=publish(FakeResolver(), "shop.example", None))
    assert rows(reader.get(AUTHORIZATIONS)) == []


def test_a_scan_ending_in_a_dns_error_keeps_the_last_known_rows(org, shop, reader):
    before = rows(reader.get(AUTHORIZATIONS))
    scan(shop, resolver=break_dns(publish(FakeResolver(), "shop.example", None), "shop.example"))
    shop.refresh_from_db()
    assert shop.scan_verdict == "error"
    assert rows(reader.get(AUTHORIZATIONS)) == before


def test_the_action_says_who_publishes_what(org, shop, reader):
    actions = {r["rua_host"]: r["action"] for r in rows(reader.get(AUTHORIZATIONS))}
    assert actions["missing.net"] == (
        "Ask the operator of missing.net to publish "
        'shop.example._report._tls.missing.net. IN TXT "v=TLSRPTv1".'
    )
    assert actions[TLSMON].startswith(
        f"TLSMon's operator publishes shop.example._report._tls.{TLSMON}. IN TXT"
    )
    assert "DNS error" in actions["broken.net"]
    assert actions["authorized.net"] == actions["wild.net"] == actions["shop.example"] == ""


def test_tlsmons_https_intake_host_counts_as_tlsmon(org, reader, settings):
    """TLSMon's own record offers its mailbox and its HTTPS intake (README: the operator of
    TLSMON_REPORT_DOMAIN and of the TLSMON_BASE_URL host publishes these records)."""
    settings.TLSMON_BASE_URL = "https://tlsmon.example"
    site = domain(org, "site.example")
    scan(site, resolver=publish(FakeResolver(), "site.example", ",".join(org.report_destinations)))
    found = {r["rua_host"]: r["is_tlsmon"] for r in rows(reader.get(AUTHORIZATIONS))}
    assert found == {TLSMON: True, "tlsmon.example": True}


# --- Filters --------------------------------------------------------------------------------


@pytest.fixture
def portfolio(msp, client_org):
    """An MSP domain and a client domain, both sending to vendor.net and TLSMon."""
    own, theirs = domain(msp, "own.example"), domain(client_org, "client.example", tags=("prod",))
    resolver = FakeResolver()
    for row in (own, theirs):
        rua = f"mailto:r@vendor.net,mailto:{row.organization.report_token}@{TLSMON}"
        publish(resolver, row.name, rua, authorized=("vendor.net",) if row is own else ())
    scan(own, theirs, resolver=resolver)
    return own, theirs


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "authorized"}, 1),
        ({"rua_host": "vendor.net"}, 2),
        ({"is_tlsmon": "true"}, 2),
        ({"is_tlsmon": "false", "organization": "client-one"}, 1),
        ({"organization": "msp"}, 2),
        ({"tag": "prod"}, 2),
        ({"search": "client"}, 2),
    ],
    ids=[
        "status",
        "rua-host",
        "is-tlsmon",
        "third-party-of-client",
        "org",
        "tag",
        "search",
    ],
)
def test_filters_narrow_the_rows(msp, portfolio, api_client, params, expected):
    assert len(rows(api_client(msp).get(AUTHORIZATIONS, params))) == expected


def test_the_status_filter_can_be_repeated(org, shop, reader):
    wanted = {"status": ["authorized", "wildcard_authorized"]}
    found = [row["rua_host"] for row in rows(reader.get(AUTHORIZATIONS, wanted))]
    assert found == ["authorized.net", "wild.net"]


def test_filter_by_domain_id(msp, portfolio, api_client):
    own, _ = portfolio
    found = statuses(api_client(msp).get(AUTHORIZATIONS, {"domain": own.pk}))
    assert found == [
        ("own.example", "reports.tlsmon.example", "missing"),
        ("own.example", "vendor.net", "authorized"),
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "gone"}, "status"),
        ({"organization": "outsider"}, "organization"),
        ({"is_tlsmon": "perhaps"}, "is_tlsmon"),
    ],
)
def test_bad_filter_values_are_a_400(org, other_org, reader, params, field):
    assert_invalid(reader.get(AUTHORIZATIONS, params), field)
    assert_invalid(reader.get(SUMMARY, params), field)


# --- Summary --------------------------------------------------------------------------------


def test_the_summary_counts_per_host_and_what_is_still_to_publish(msp, portfolio, api_client):
    body = api_client(msp).get(SUMMARY).json()
    assert body["hosts"] == [
        {  # hosts with missing records first
            "rua_host": TLSMON,
            "is_tlsmon": True,
            "domains": 2,
            "statuses": {
                "authorized": 0,
                "wildcard_authorized": 0,
                "missing": 2,
                "lookup_error": 0,
                "not_needed": 0,
            },
        },
        {
            "rua_host": "vendor.net",
            "is_tlsmon": False,
            "domains": 2,
            "statuses": {
                "authorized": 1,
                "wildcard_authorized": 0,
                "missing": 1,
                "lookup_error": 0,
                "not_needed": 0,
            },
        },
    ]
    assert (body["to_publish"], body["to_publish_by_tlsmon"]) == (3, 2)


def test_a_destination_inside_the_domain_is_no_host_of_the_summary(org, shop, reader):
    hosts = [h["rua_host"] for h in reader.get(SUMMARY).json()["hosts"]]
    assert "shop.example" not in hosts
    assert {"authorized.net", "missing.net", TLSMON} <= set(hosts)


def test_the_summary_says_the_record_is_a_convention_not_rfc_8460(org, reader):
    note = reader.get(SUMMARY).json()["note"]
    assert "vendor convention" in note
    assert "RFC 8460" in note and "RFC 8460 requires" not in note


def test_two_destinations_on_one_host_need_one_record(org, reader):
    site = domain(org, "site.example")
    rua = "mailto:r@vendor.net,https://vendor.net/tlsrpt"
    scan(site, resolver=publish(FakeResolver(), "site.example", rua))
    assert len(rows(reader.get(AUTHORIZATIONS, {"status": "missing"}))) == 2
    body = reader.get(SUMMARY).json()
    assert (body["hosts"][0]["domains"], body["to_publish"]) == (1, 1)


def test_the_list_filters_apply_to_the_summary(msp, portfolio, api_client):
    body = api_client(msp).get(SUMMARY, {"organization": "msp", "is_tlsmon": "false"}).json()
    assert [(h["rua_host"], h["domains"]) for h in body["hosts"]] == [("vendor.net", 1)]
    assert body["to_publish"] == 0


# --- CSV ------------------------------------------------------------------------------------


def test_the_list_as_csv_has_every_row_and_its_action(org, shop, reader):
    header, found = read_csv(reader.get(AUTHORIZATIONS, {"format": "csv", "page_size": 1}))
    assert header == [
        "domain",
        "organization",
        "uri",
        "rua_host",
        "is_tlsmon",
        "status",
        "record_name",
        "checked_at",
        "action",
    ]
    assert len(found) == 6
    missing = next(row for row in found if row["rua_host"] == "missing.net")
    assert (missing["status"], missing["is_tlsmon"]) == ("missing", "false")
    assert missing["action"].startswith("Ask the operator of missing.net")


def test_the_summary_as_csv_has_a_line_per_host(org, shop, reader):
    header, found = read_csv(reader.get(SUMMARY, HTTP_ACCEPT="text/csv"))
    assert header[:3] == ["rua_host", "is_tlsmon", "domains"]
    assert {row["rua_host"]: row["missing"] for row in found}["missing.net"] == "1"
    assert len(found) == 5  # the five external hosts; shop.example itself is not one


def test_csv_errors_are_still_json(org, reader):
    assert_invalid(reader.get(AUTHORIZATIONS, {"format": "csv", "status": "gone"}), "status")


@pytest.mark.parametrize("count", [2, 20])
def test_a_page_costs_the_same_queries_for_few_or_many_rows(
    org, reader, count, django_assert_num_queries
):
    resolver, made = FakeResolver(), []
    for i in range(count):
        made.append(domain(org, f"d{i}.example"))
        publish(resolver, f"d{i}.example", "mailto:r@vendor.net")
    scan(*made, resolver=resolver)
    # token lookup, its last-used update, count, the page's ids, its rows with domains and orgs
    with django_assert_num_queries(5):
        assert len(rows(reader.get(AUTHORIZATIONS))) == count


# --- Tenancy (list-only endpoint: registered in tests/tenancy.py NESTED_COVERAGE) ------------


def test_an_organization_never_sees_another_organizations_destinations(org, other_org, reader):
    mine, theirs = domain(org, "mine.example"), domain(other_org, "theirs.example")
    resolver = publish(FakeResolver(), "mine.example", "mailto:r@vendor.net")
    publish(resolver, "theirs.example", "mailto:r@secret-vendor.net")
    scan(mine, theirs, resolver=resolver)
    assert statuses(reader.get(AUTHORIZATIONS)) == [("mine.example", "vendor.net", "missing")]
    assert rows(reader.get(AUTHORIZATIONS, {"domain": theirs.pk})) == []
    summary = reader.get(SUMMARY).json()
    assert [h["rua_host"] for h in summary["hosts"]] == ["vendor.net"]
    _, found = read_csv(reader.get(AUTHORIZATIONS, {"format": "csv"}))
    assert [row["domain"] for row in found] == ["mine.example"]


def test_an_msp_sees_its_clients_and_not_another_msps(msp, portfolio, api_client):
    rivals_client = OrganizationFactory(
        slug="rivals-client", managed_by=OrganizationFactory(slug="rival-msp")
    )
    rival = domain(rivals_client, "rival.example")
    scan(rival, resolver=publish(FakeResolver(), "rival.example", "mailto:r@vendor.net"))
    found = {r["domain"] for r in rows(api_client(msp).get(AUTHORIZATIONS))}
    assert found == {"own.example", "client.example"}


def test_a_client_sees_neither_its_msps_nor_a_siblings_rows(msp, client_org, portfolio, api_client):
    sibling = domain(OrganizationFactory(slug="sibling", managed_by=msp), "sibling.example")
    scan(sibling, resolver=publish(FakeResolver(), "sibling.example", "mailto:r@vendor.net"))
    client = api_client(client_org)
    assert {r["domain"] for r in rows(client.get(AUTHORIZATIONS))} == {"client.example"}
    assert client.get(SUMMARY).json()["to_publish"] == 2
    assert_invalid(client.get(AUTHORIZATIONS, {"organization": "msp"}), "organization")


@pytest.mark.parametrize("url", [AUTHORIZATIONS, SUMMARY])
def test_a_read_only_token_reads_and_no_token_can_write(org, shop, api_client, url):
    assert_read_only_endpoint(api_client, org, url)
    reader = api_client(org, write=False)
    assert read_csv(reader.get(url, {"format": "csv"}))[1]
    assert len(rows(reader.get(AUTHORIZATIONS))) == 6
