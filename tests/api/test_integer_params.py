"""Out-of-range numbers in any query parameter or path id are a 4xx, never a 500.

The parameters come from the OpenAPI schema, so a new integer filter is covered the day it is
added. SQLite (the quickstart) raised OverflowError binding a number over 2**63 - 1; the
filters now refuse such values while validating, before any query runs, so the answer is the
same on every database.
"""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.factories import DomainFactory

pytestmark = pytest.mark.django_db

HUGE = ["99999999999999999999999", "9223372036854775808", "-9223372036854775809", "1e400"]
# Page numbers follow DRF: a page past the last one is a 404 ("Invalid page"); a page size over
# the maximum is capped. Every other number in a query is a filter and must be a 400.
PAGING = {"page": {404}, "page_size": {200}}


def _operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation.get("parameters", [])


def _numeric_query_parameters() -> list[tuple[str, str]]:
    found = []
    for path, method, parameters in _operations():
        for parameter in parameters:
            numeric = parameter["schema"].get("type") in {"integer", "number"}
            if method == "get" and parameter["in"] == "query" and numeric:
                found.append((path, parameter["name"]))
    return found


NUMERIC_QUERY = _numeric_query_parameters()
# Filters that take "an id or a name" are strings in the schema, so they are listed here.
ID_OR_NAME = [("/api/v1/reports/", "domain")]


def test_the_schema_lists_the_numeric_filters_this_test_covers():
    names = {name for _, name in NUMERIC_QUERY}
    assert {"domain", "page", "page_size", "days", "top", "min_failure_rate"} <= names


@pytest.mark.parametrize(("path", "name"), NUMERIC_QUERY, ids=str)
@pytest.mark.parametrize("value", HUGE)
def test_a_huge_number_in_a_query_parameter_is_refused_cleanly(api_client, org, path, name, value):
    domain = DomainFactory(organization=org)
    response = api_client(org).get(path.replace("{id}", str(domain.pk)), {name: value})
    expected = PAGING.get(name, {400})
    if name == "page_size" and value.startswith("-"):
        expected = {200}  # DRF ignores a page size it cannot use and sends the default
    assert response.status_code in expected, response.content
    if response.status_code == 400:
        assert name in response.json()["fields"]


@pytest.mark.parametrize(("path", "name"), ID_OR_NAME, ids=str)
@pytest.mark.parametrize("value", [v for v in HUGE if v.isdigit()])
def test_a_huge_id_in_an_id_or_name_filter_is_a_400(api_client, org, path, name, value):
    response = api_client(org).get(path, {name: value})
    assert response.status_code == 400
    assert name in response.json()["fields"]


def _paths_with_an_id() -> list[tuple[str, str]]:
    return sorted(
        {(path, method) for path, method, _ in _operations() if "{id}" in path},
    )


@pytest.mark.parametrize(("path", "method"), _paths_with_an_id(), ids=str)
def test_a_huge_id_in_the_path_is_a_plain_404(api_client, org, path, method):
    client = api_client(org, write=True)
    for value in HUGE:
        response = getattr(client, method)(path.replace("{id}", value))
        assert response.status_code == 404, (value, response.content)
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("value", ["3165-02-03T03:22:19-23:58", "2026-01-01T00:00:00+23:59"])
def test_a_time_filter_with_an_offset_the_database_refuses_still_answers(api_client, org, value):
    response = api_client(org).get("/api/v1/scans/", {"finished_before": value})
    assert response.status_code == 200, response.content
