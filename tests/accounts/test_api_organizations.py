"""Organizations API: an MSP lists and creates its clients; a client cannot have clients."""

from __future__ import annotations

import pytest

from accounts.models import Organization

pytestmark = pytest.mark.django_db
URL = "/api/v1/organizations/"


def test_an_msp_creates_a_client_organization(msp, api_client):
    response = api_client(msp, write=True).post(
        URL, {"name": "Client Two", "scan_interval_hours": 12}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "client-two"
    assert body["managed_by"] == "msp"
    assert body["is_client"] is True
    assert Organization.objects.get(slug="client-two").scan_interval_hours == 12


def test_a_client_organization_cannot_create_clients(client_org, api_client):
    response = api_client(client_org, write=True).post(URL, {"name": "Nested"}, format="json")
    assert response.status_code == 403
    assert not Organization.objects.filter(name="Nested").exists()


def test_a_slug_another_tenant_uses_resolves_to_a_free_one_without_naming_it(
    msp, other_org, api_client
):
    response = api_client(msp, write=True).post(
        URL, {"name": "X", "slug": "outsider"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "outsider-2"
    assert Organization.objects.get(slug="outsider") == other_org  # untouched


def test_a_name_whose_slug_is_taken_also_gets_a_free_slug(msp, other_org, api_client):
    response = api_client(msp, write=True).post(URL, {"name": "Outsider"}, format="json")
    assert response.json()["slug"] == "outsider-2"


def test_an_operator_asking_for_a_taken_slug_is_told(other_org):
    from django.core.exceptions import ValidationError

    from accounts.services import organization_create

    with pytest.raises(ValidationError, match="already taken"):
        organization_create(name="X", slug="outsider")


def test_an_msp_lists_itself_and_its_clients_with_domain_counts(msp, client_org, api_client):
    from accounts.services import domain_create

    domain_create(organization=client_org, name="a.example")
    domain_create(organization=client_org, name="b.example")
    body = api_client(msp).get(URL).json()
    counts = {row["slug"]: row["domain_count"] for row in body["results"]}
    assert counts == {"msp": 0, "client-one": 2}
    clients = api_client(msp).get(URL, {"is_client": "true"}).json()["results"]
    assert [row["slug"] for row in clients] == ["client-one"]


def test_patch_renames_and_validates_the_scan_interval(msp, client_org, api_client):
    client = api_client(msp, write=True)
    url = f"{URL}{client_org.pk}/"
    assert client.patch(url, {"scan_interval_hours": 0}, format="json").status_code == 400
    response = client.patch(url, {"name": "Client Renamed"}, format="json")
    assert response.status_code == 200
    client_org.refresh_from_db()
    assert (client_org.name, client_org.scan_interval_hours) == ("Client Renamed", 24)
