"""Cross-cutting API behaviour: throttling through Redis, JSON errors, the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command
from openapi_spec_validator import validate

from accounts.selectors import unknown_organization_message

pytestmark = pytest.mark.django_db


@pytest.mark.live
def test_a_token_over_its_rate_gets_429_with_retry_after(org, api_client, settings, redis_url):
    assert "RedisCache" in settings.CACHES["default"]["BACKEND"]
    settings.TLSMON_API_THROTTLE_RATE = "3/minute"
    busy, calm = api_client(org), api_client(org)
    assert [busy.get("/api/v1/domains/").status_code for _ in range(3)] == [200] * 3
    response = busy.get("/api/v1/domains/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["code"] == "throttled"
    assert response.json()["retry_after"] == int(response["Retry-After"])
    assert calm.get("/api/v1/domains/").status_code == 200  # the limit is per token
    assert any(b"throttle:token:" in key for key in cache._cache.get_client().keys("*"))


def test_an_unknown_api_path_is_a_json_404(org, api_client):
    response = api_client(org).get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_openapi_schema_is_valid_and_documents_every_operation_and_its_errors(tmp_path):
    path = tmp_path / "schema.json"
    call_command(
        "spectacular",
        "--file",
        str(path),
        "--format",
        "openapi-json",
        "--validate",
        "--fail-on-warn",
    )
    import json

    schema = json.loads(path.read_text())
    validate(schema)
    expected = {
        ("/api/v1/organizations/", "get"),
        ("/api/v1/organizations/", "post"),
        ("/api/v1/organizations/{id}/", "get"),
        ("/api/v1/organizations/{id}/", "patch"),
        ("/api/v1/domains/", "get"),
        ("/api/v1/domains/", "post"),
        ("/api/v1/domains/{id}/", "get"),
        ("/api/v1/domains/{id}/", "patch"),
        ("/api/v1/domains/{id}/", "delete"),
        ("/api/v1/domains/bulk/", "post"),
    }
    documented = {(p, m) for p, ops in schema["paths"].items() for m in ops}
    assert expected <= documented
    for path_name, method in expected:
        responses = schema["paths"][path_name][method]["responses"]
        assert {"401", "429"} <= set(responses), (path_name, method)
        if "{id}" in path_name:
            assert "404" in responses
        if method != "get":
            assert "403" in responses
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"status", "code", "detail"}


def test_the_docs_page_serves_swagger_ui_from_our_own_static_files(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert b"drf_spectacular_sidecar" in response.content
    assert b"cdn." not in response.content


# Found by schemathesis (scripts/api_contract): the schema must allow what the API answers.


@pytest.fixture(scope="module")
def api_schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_an_unknown_object_id_is_a_json_404_named_not_found(org, api_client):
    response = api_client(org).get("/api/v1/domains/999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_unknown_format_is_a_json_404_named_not_found(org, api_client):
    response = api_client(org).get("/api/v1/domains/?format=xml")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found" and response.json()["detail"]


def test_every_paginated_list_documents_the_404_of_a_page_past_the_end(org, api_client, api_schema):
    assert api_client(org).get("/api/v1/domains/?page=2").status_code == 404
    for path, operations in api_schema["paths"].items():
        for method, operation in operations.items():
            if any(p["name"] == "page" for p in operation.get("parameters", [])):
                assert "404" in operation["responses"], (method, path)


def test_a_never_scanned_verdict_and_an_unmanaged_organization_fit_the_schema(api_schema):
    schemas = api_schema["components"]["schemas"]
    blank = {"$ref": "#/components/schemas/BlankEnum"}
    assert blank in schemas["Domain"]["properties"]["scan_verdict"]["oneOf"]
    assert blank in schemas["Scan"]["properties"]["verdict"]["oneOf"]
    assert schemas["Organization"]["properties"]["managed_by"]["nullable"] is True


def test_a_domains_scan_history_is_documented_as_a_page_of_scans(api_schema):
    operation = api_schema["paths"]["/api/v1/domains/{id}/scans/"]["get"]
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/PaginatedScanList"}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/domains/?organization={slug}", None),
        ("get", "/api/v1/coverage/?organization={slug}", None),
        ("get", "/api/v1/trends/?organization={slug}", None),
        ("post", "/api/v1/domains/", {"name": "a.example", "organization": "{slug}"}),
        ("post", "/api/v1/domains/bulk/?organization={slug}", {"names": ["a.example"]}),
    ],
)
def test_an_unknown_organization_slug_gets_the_same_error_text_everywhere(
    msp, client_org, other_org, api_client, method, path, body
):
    """A slug that exists nowhere and another tenant's slug read the same, on every endpoint."""
    client = api_client(msp, write=True)
    for slug in ("acme-ltd", other_org.slug):
        data = {
            k: v.format(slug=slug) if k == "organization" else v for k, v in (body or {}).items()
        }
        response = getattr(client, method)(path.format(slug=slug), data, format="json")
        assert response.status_code == 400
        assert response.json()["fields"]["organization"] == [unknown_organization_message(slug)]
