"""Every registered API endpoint keeps tenants apart (see tests/tenancy.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.viewsets import OrgScopedViewSet
from tests.factories import OrganizationFactory
from tests.tenancy import ENDPOINTS, NESTED_COVERAGE
from tlsmon.api import router

# Endpoints deliberately outside tenant scoping: they read and write no tenant data.
PUBLIC_ALLOWLIST: set[str] = {"tool"}  # /tools/validate-record/, /tools/generate-record/

pytestmark = pytest.mark.django_db
endpoints = pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)


def listed_ids(client, url) -> set[int]:
    response = client.get(url, {"page_size": 1000})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@endpoints
def test_other_organizations_objects_are_not_listed(endpoint, org, other_org, api_client):
    mine, theirs = endpoint.make(org), endpoint.make(other_org)
    ids = listed_ids(api_client(org), endpoint.list_url)
    assert mine.pk in ids
    assert theirs.pk not in ids


@endpoints
def test_other_organizations_object_is_404_for_read_update_and_delete(
    endpoint, org, other_org, api_client
):
    theirs = endpoint.make(other_org)
    client = api_client(org, write=True)
    url = endpoint.detail_url(theirs)
    assert client.get(url).status_code == 404
    assert client.patch(url, endpoint.update or {}, format="json").status_code in {404, 405}
    assert client.delete(url).status_code in {404, 405}
    theirs.refresh_from_db()  # still there, unchanged
    if endpoint.update:
        for field, value in endpoint.update.items():
            if field != "tags":
                assert getattr(theirs, field) != value


@endpoints
def test_msp_token_reaches_its_clients_and_not_outsiders(
    endpoint, msp, client_org, other_org, api_client
):
    clients_obj, outsiders_obj = endpoint.make(client_org), endpoint.make(other_org)
    client = api_client(msp)
    ids = listed_ids(client, endpoint.list_url)
    assert clients_obj.pk in ids
    assert outsiders_obj.pk not in ids
    assert client.get(endpoint.detail_url(clients_obj)).status_code == 200


@endpoints
def test_client_token_reaches_neither_its_msp_nor_a_sibling(endpoint, msp, client_org, api_client):
    sibling = OrganizationFactory(slug="sibling", managed_by=msp)
    msp_obj, sibling_obj = endpoint.make(msp), endpoint.make(sibling)
    client = api_client(client_org)
    ids = listed_ids(client, endpoint.list_url)
    assert msp_obj.pk not in ids
    assert sibling_obj.pk not in ids
    assert client.get(endpoint.detail_url(sibling_obj)).status_code == 404


@endpoints
def test_read_only_token_cannot_write(endpoint, org, api_client):
    own = endpoint.make(org)
    client = api_client(org, write=False)
    if endpoint.create:
        response = client.post(endpoint.list_url, endpoint.create(org), format="json")
        assert response.status_code == 403
        assert response.json()["code"] == "read_only_token"
    if endpoint.update:
        assert (
            client.patch(endpoint.detail_url(own), endpoint.update, format="json").status_code
            == 403
        )
    if endpoint.deletable:
        assert client.delete(endpoint.detail_url(own)).status_code == 403
    assert type(own).objects.filter(pk=own.pk).exists()


def test_every_router_endpoint_is_scoped_and_has_a_tenancy_case():
    covered = {endpoint.basename for endpoint in ENDPOINTS} | set(NESTED_COVERAGE)
    for prefix, viewset, basename in router.registry:
        if basename in PUBLIC_ALLOWLIST:
            continue
        assert issubclass(viewset, OrgScopedViewSet), f"{prefix} is not an OrgScopedViewSet"
        assert basename in covered, f"{prefix} has no tenant_endpoint(...) in tests/tenancy.py"


def test_a_viewset_that_overrides_get_queryset_is_refused():
    with pytest.raises(TypeError, match="scope_queryset"):

        class Sneaky(OrgScopedViewSet):
            def get_queryset(self):
                return []


def test_every_nested_coverage_entry_names_a_test_that_exists():
    root = Path(__file__).resolve().parents[2]
    for basename, test_id in NESTED_COVERAGE.items():
        path, _, name = test_id.partition("::")
        assert f"def {name}(" in (root / path).read_text(), basename
