"""Bulk domain creation: per-row results, good rows kept, JSON and CSV bodies, a row limit."""

from __future__ import annotations

import pytest

from accounts.models import Domain
from tests.factories import DomainFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/domains/bulk/"


def test_mixed_rows_keep_the_good_ones_and_say_why_the_bad_ones_failed(org, api_client):
    DomainFactory(organization=org, name="old.example")
    names = ["new.example", "OLD.example.", "com", "not a domain", "new.example", "bücher.example"]
    response = api_client(org, write=True).post(URL, {"names": names}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["present"], body["invalid"]) == (2, 2, 2)
    statuses = [(r["row"], r["status"]) for r in body["results"]]
    assert statuses == [
        (1, "created"),
        (2, "present"),
        (3, "invalid"),
        (4, "invalid"),
        (5, "present"),
        (6, "created"),
    ]
    assert "public suffix" in body["results"][2]["error"]
    assert "white space" in body["results"][3]["error"]
    stored = set(Domain.objects.filter(organization=org).values_list("name", flat=True))
    assert stored == {"old.example", "new.example", "xn--bcher-kva.example"}
    ids = {r["name"]: r["id"] for r in body["results"] if r["id"]}
    assert ids["new.example"] == Domain.objects.get(name="new.example").pk


def test_csv_body_with_a_header_tags_and_target_organization(msp, client_org, api_client):
    csv_body = "domain,notes\nalpha.example,first\n\n# a comment\nbeta.example,second\n"
    response = api_client(msp, write=True).post(
        f"{URL}?organization=client-one&tag=imported",
        csv_body,
        content_type="text/csv",
    )
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 2
    domains = Domain.objects.filter(organization=client_org).prefetch_related("tags")
    assert {d.name for d in domains} == {"alpha.example", "beta.example"}
    assert all([t.name for t in d.tags.all()] == ["imported"] for d in domains)


def test_more_rows_than_the_limit_is_refused_whole(org, api_client, settings):
    settings.TLSMON_BULK_MAX_ROWS = 5
    names = [f"d{n}.example" for n in range(6)]
    response = api_client(org, write=True).post(URL, {"names": names}, format="json")
    assert response.status_code == 400
    assert "at most 5" in response.json()["fields"]["names"][0]
    assert not Domain.objects.exists()


def test_a_thousand_rows_go_through_in_one_request(org, api_client):
    names = [f"host{n}.example" for n in range(1000)]
    response = api_client(org, write=True).post(URL, {"names": names}, format="json")
    assert response.status_code == 200
    assert response.json()["created"] == 1000
    assert Domain.objects.filter(organization=org).count() == 1000


def test_bulk_into_an_unreachable_organization_is_refused(org, other_org, api_client):
    response = api_client(org, write=True).post(
        URL, {"names": ["x.example"], "organization": "outsider"}, format="json"
    )
    assert response.status_code == 400
    assert not Domain.objects.exists()


def test_a_read_only_token_cannot_bulk_create(org, api_client):
    response = api_client(org).post(URL, {"names": ["x.example"]}, format="json")
    assert response.status_code == 403
    assert not Domain.objects.exists()


def test_a_body_that_is_neither_json_nor_csv_is_a_clear_415(org, api_client):
    response = api_client(org, write=True).post(URL, b"<xml/>", content_type="application/xml")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_json_body_honours_the_organization_and_tags_in_the_query(msp, client_org, api_client):
    response = api_client(msp, write=True).post(
        f"{URL}?organization=client-one&tag=imported",
        {"names": ["gamma.example"], "tags": ["eu"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    domain = Domain.objects.get(name="gamma.example")
    assert domain.organization == client_org
    assert sorted(t.name for t in domain.tags.all()) == ["eu", "imported"]


def test_an_organization_given_twice_with_different_slugs_is_refused(msp, client_org, api_client):
    response = api_client(msp, write=True).post(
        f"{URL}?organization=client-one",
        {"names": ["gamma.example"], "organization": "msp"},
        format="json",
    )
    assert response.status_code == 400
    assert "organization" in response.json()["fields"]
    assert not Domain.objects.exists()


def test_csv_rows_are_numbered_by_file_line(org, api_client):
    csv_body = "name\nalpha.example\n\n# a comment\ncom\n"
    response = api_client(org, write=True).post(URL, csv_body, content_type="text/csv")
    rows = [(r["row"], r["input"]) for r in response.json()["results"]]
    assert rows == [(2, "alpha.example"), (5, "com")]


def test_an_empty_csv_body_says_the_file_was_empty(org, api_client):
    response = api_client(org, write=True).post(URL, "", content_type="text/csv")
    assert response.status_code == 400
    assert "CSV body holds no domain names" in response.json()["fields"]["body"][0]
