"""Bulk pause, resume and delete from the domain list: nothing changes before the confirmation,
viewers change nothing, and another tenant's domains cannot be named."""

from __future__ import annotations

import pytest

from accounts.models import Domain, Role
from reports.models import OrganizationDailyTotal
from tests.portfolio.helpers import days_ago, domain, ingest, policy
from tests.web.helpers import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(org):
    return f"/o/{org.slug}/domains/bulk/"


@pytest.fixture
def three(org):
    return [domain(org, f"{n}.example") for n in ("one", "two", "three")]


def ids(*domains) -> list[int]:
    return [d.pk for d in domains]


def test_the_first_post_only_asks_for_confirmation(client, url, org, three):
    login(client, org, Role.MEMBER)
    response = client.post(url, {"action": "pause", "ids": ids(*three[:2])})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Pause 2 domains" in page and "one.example" in page and "two.example" in page
    assert "three.example" not in page
    assert Domain.objects.filter(is_active=False).count() == 0


def test_a_member_pauses_then_resumes_and_returns_to_the_filtered_list(client, url, org, three):
    login(client, org, Role.MEMBER)
    chosen = {"action": "pause", "ids": ids(*three[:2]), "back": "verdict=fail&page=2"}
    response = client.post(url, {**chosen, "confirm": "yes"})
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/domains/?verdict=fail&page=2"
    assert set(Domain.objects.filter(is_active=False).values_list("name", flat=True)) == {
        "one.example",
        "two.example",
    }
    client.post(url, {"action": "resume", "ids": ids(three[0]), "confirm": "yes"})
    assert list(Domain.objects.filter(is_active=False).values_list("name", flat=True)) == [
        "two.example"
    ]
    page = client.get(f"/o/{org.slug}/domains/").content.decode()
    assert "Resumed 1 domain(s)." in page


def test_delete_goes_through_domain_delete_and_the_figures_follow(client, url, org):
    gone = domain(org, "gone.example")
    domain(org, "kept.example")
    ingest(org, days_ago(1), policy("gone.example", 10, 2), policy("kept.example", 5, 0))
    login(client, org, Role.MEMBER)
    client.post(url, {"action": "delete", "ids": ids(gone), "confirm": "yes"})
    assert list(Domain.objects.values_list("name", flat=True)) == ["kept.example"]
    day = OrganizationDailyTotal.objects.get(organization=org)
    assert (day.successful, day.failed) == (5, 0)


def test_a_viewer_can_neither_open_nor_confirm_a_bulk_change(client, url, org, three):
    login(client, org, Role.VIEWER)
    assert client.get(url, {"action": "pause", "ids": ids(*three)}).status_code == 403
    response = client.post(url, {"action": "delete", "ids": ids(*three), "confirm": "yes"})
    assert response.status_code == 403
    assert Domain.objects.count() == 3


def test_another_tenants_domain_cannot_be_named(client, url, org, other_org, three):
    theirs = domain(other_org, "theirs.example")
    login(client, org, Role.OWNER)
    response = client.post(
        url, {"action": "delete", "ids": [*ids(three[0]), theirs.pk], "confirm": "yes"}
    )
    assert response.status_code == 400
    assert f"Domain {theirs.pk} is not one of this organization&#x27;s domains." in (
        response.content.decode()
    )
    assert Domain.objects.count() == 4


def test_an_msp_admin_changes_client_domains_from_the_msp_list(client, msp, client_org):
    theirs = domain(client_org, "client.example")
    login(client, msp, Role.ADMIN)
    client.post(
        f"/o/{msp.slug}/domains/bulk/", {"action": "pause", "ids": [theirs.pk], "confirm": "yes"}
    )
    theirs.refresh_from_db()
    assert not theirs.is_active


def test_nothing_selected_or_an_unknown_action_is_explained(client, url, org, three):
    login(client, org, Role.MEMBER)
    page = client.post(url, {"action": "pause"}).content.decode()
    assert "Select at least one domain on the list first." in page
    response = client.post(url, {"action": "explode", "ids": ids(three[0]), "confirm": "yes"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Domain.objects.filter(is_active=True).count() == 3


def test_the_way_back_never_leaves_the_domain_list(client, url, org, three):
    login(client, org, Role.MEMBER)
    response = client.post(
        url,
        {"action": "pause", "ids": ids(three[0]), "confirm": "yes", "back": "//evil.example/x"},
    )
    assert response["Location"].startswith(f"/o/{org.slug}/domains/?")


def test_all_domains_matching_the_filters_are_paused_not_only_the_ticked_page(client, url, org):
    for i in range(60):
        domain(org, f"f{i:02}.example", scan_verdict="fail" if i % 2 else "pass")
    login(client, org, Role.MEMBER)
    chosen = {"action": "pause", "all_matching": "on", "back": "verdict=fail&page=2"}
    page = client.post(url, chosen).content.decode()
    assert "Confirm a change to 30 domains" in page
    assert Domain.objects.filter(is_active=False).count() == 0
    ids = page.split('name="ids" value="')[1].split('"')[0]
    client.post(url, {"action": "pause", "ids": ids, "back": chosen["back"], "confirm": "yes"})
    paused = Domain.objects.filter(is_active=False)
    assert paused.count() == 30 and {d.scan_verdict for d in paused} == {"fail"}


def test_all_matching_with_filters_that_make_no_sense_changes_nothing(client, url, org, three):
    login(client, org, Role.MEMBER)
    response = client.post(
        url, {"action": "pause", "all_matching": "on", "back": "verdict=bogus", "confirm": "yes"}
    )
    assert response.status_code == 400
    assert "Verdict (verdict=&#x27;bogus&#x27;)" in response.content.decode()
    assert Domain.objects.filter(is_active=False).count() == 0


def test_the_confirmation_lists_a_hundred_names_and_counts_the_rest(client, url, org):
    for i in range(130):
        domain(org, f"n{i:03}.example")
    login(client, org, Role.MEMBER)
    page = client.post(url, {"action": "resume", "all_matching": "on"}).content.decode()
    assert "n099.example" in page and "n100.example" not in page
    assert "and 30 more" in page
