"""Cross-cutting API behaviour: throttling through Redis, JSON errors, the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command
from openapi_spec_validator import validate

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
