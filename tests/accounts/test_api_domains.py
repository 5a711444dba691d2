"""The domains API: create with normalization, clear errors, filters, search and updates."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Domain
from accounts.services import domain_create
from tests.factories import DomainFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/domains/"


def test_it_creates_a_domain_in_normalized_form(org, api_client):
    response = api_client(org, write=True).post(
        URL, {"name": "  Bücher.EXAMPLE. ", "tags": ["eu", "retail"]}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "xn--bcher-kva.example"
    assert body["unicode_name"] == "bücher.example"
    assert body["organization"] == "alpha"
    assert body["tags"] == ["eu", "retail"]
    assert Domain.objects.get(pk=body["id"]).organization == org


def test_an_invalid_name_gets_a_400_that_names_the_field_and_the_problem(org, api_client):
    response = api_client(org, write=True).post(URL, {"name": "co.uk"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and body["code"] == "invalid"
    assert "public suffix" in body["fields"]["name"][0]
    assert "public suffix" in body["detail"]
    assert not Domain.objects.exists()


def test_the_same_domain_twice_in_one_organization_is_refused(org, api_client):
    client = api_client(org, write=True)
    assert client.post(URL, {"name": "example.com"}, format="json").status_code == 201
    response = client.post(URL, {"name": "EXAMPLE.com."}, format="json")
    assert response.status_code == 400
    assert "already monitored" in response.json()["fields"]["name"][0]
    assert Domain.objects.count() == 1


def test_two_organizations_may_monitor_the_same_domain(org, other_org):
    domain_create(organization=org, name="shared.example")
    domain_create(organization=other_org, name="shared.example")
    assert Domain.objects.filter(name="shared.example").count() == 2


def test_an_msp_creates_a_domain_in_its_client_organization(msp, client_org, api_client):
    response = api_client(msp, write=True).post(
        URL, {"name": "client.example", "organization": "client-one"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert Domain.objects.get(name="client.example").organization == client_org


def test_a_domain_cannot_be_created_in_an_unreachable_organization(org, other_org, api_client):
    response = api_client(org, write=True).post(
        URL, {"name": "sneaky.example", "organization": "outsider"}, format="json"
    )
    assert response.status_code == 400
    assert "organization" in response.json()["fields"]
    assert not Domain.objects.exists()


def test_patch_changes_tags_and_pauses_but_never_the_name(org, api_client):
    domain = DomainFactory(organization=org, name="keep.example")
    response = api_client(org, write=True).patch(
        f"{URL}{domain.pk}/",
        {"tags": ["paused-client"], "is_active": False, "name": "other.example"},
        format="json",
    )
    assert response.status_code == 200
    domain.refresh_from_db()
    assert domain.name == "keep.example"
    assert not domain.is_active
    assert [t.name for t in domain.tags.all()] == ["paused-client"]


def test_delete_removes_the_domain(org, api_client):
    domain = DomainFactory(organization=org)
    assert api_client(org, write=True).delete(f"{URL}{domain.pk}/").status_code == 204
    assert not Domain.objects.filter(pk=domain.pk).exists()


def test_list_filters_by_tag_active_and_organization_and_searches(msp, client_org, api_client):
    domain_create(organization=msp, name="tagged.example", tags=["eu"])
    domain_create(organization=client_org, name="paused.example", is_active=False)
    domain_create(organization=client_org, name="bücher.example", tags=["eu"])
    client = api_client(msp)

    def names(**params):
        return sorted(r["name"] for r in client.get(URL, params).json()["results"])

    assert names(tag="eu") == ["tagged.example", "xn--bcher-kva.example"]
    assert names(active="false") == ["paused.example"]
    assert names(organization="client-one") == ["paused.example", "xn--bcher-kva.example"]
    assert names(search="bücher") == ["xn--bcher-kva.example"]


def test_list_shows_and_filters_the_mta_sts_status_of_own_domains_only(org, other_org, api_client):
    DomainFactory(
        organization=org, name="broken.example", scan_verdict="pass", scan_mta_sts="broken"
    )
    DomainFactory(
        organization=org, name="enforce.example", scan_verdict="pass", scan_mta_sts="enforce"
    )
    DomainFactory(organization=other_org, name="theirs.example", scan_mta_sts="broken")
    rows = api_client(org).get(URL, {"mta_sts": "broken"}).json()["results"]
    assert [(r["name"], r["scan_verdict"], r["scan_mta_sts"]) for r in rows] == [
        ("broken.example", "pass", "broken")
    ]
    assert "mta_sts" in api_client(org).get(URL, {"mta_sts": "maybe"}).json()["fields"]


def test_an_unknown_organization_filter_is_a_400_not_an_empty_list(org, api_client):
    response = api_client(org).get(URL, {"organization": "outsider"})
    assert response.status_code == 400
    assert "organization" in response.json()["fields"]


def test_listing_takes_a_fixed_number_of_queries_whatever_the_page_size(org, api_client):
    client = api_client(org)
    for n in range(3):
        domain_create(organization=org, name=f"few{n}.example", tags=["a", "b"])
    client.get(URL)  # warm up: token last_used write happens once per minute
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    for n in range(30):
        domain_create(organization=org, name=f"many{n}.example", tags=["a", "b"])
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL).status_code == 200
    assert len(many) == len(few) <= 5


def test_pages_are_stable_and_complete(org, api_client):
    for n in range(25):
        DomainFactory(organization=org, name=f"d{n:02}.example")
    client = api_client(org)
    seen, url = [], f"{URL}?page_size=10"
    while url:
        body = client.get(url).json()
        seen += [r["name"] for r in body["results"]]
        url = body["next"]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 25
