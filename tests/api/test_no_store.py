"""Every response that shows a secret carries ``Cache-Control: no-store``.

The secrets are an organization's report token (inside its report addresses, the record to
publish, and the fixes a scan suggests) and a new API token's plaintext. The test walks every
GET operation of the API schema, the web pages and the admin pages a tenant's data appears on,
and checks each response whose body contains a secret; it also checks that the known places
were among them, so the walk cannot pass by finding nothing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from accounts.models import Role
from scans.services import scan_domains
from tests.factories import DomainFactory, MembershipFactory, UserFactory
from tests.scans.fakes import FakeResolver, mx
from tests.web.pages import PAGES

pytestmark = pytest.mark.django_db


@pytest.fixture
def scanned(org):
    """A domain without a TLS-RPT record, scanned: its fix names the tenant's report address."""
    domain = DomainFactory(organization=org, name="bare.example")
    resolver = FakeResolver().set("MX", mx("bare.example", (10, "mx.bare.example")))
    summary = scan_domains(domain_ids=[domain.pk], resolver=resolver)
    return domain, summary.scan_ids[0]


def _api_paths(ids: dict[str, int]) -> list[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = []
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        resource = path.removeprefix("/api/v1/").split("/")[0]
        paths.append(path.replace("{id}", str(ids.get(resource, 1))))
    return paths


def _check(response, secrets: list[str], shown: set[str], name: str) -> None:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode(errors="replace")
    if any(secret in body for secret in secrets):
        shown.add(name)
        assert "no-store" in response.get("Cache-Control", ""), name


def test_every_api_response_showing_a_report_token_is_no_store(org, api_client, scanned):
    domain, scan_id = scanned
    client = api_client(org)
    ids = {"domains": domain.pk, "organizations": org.pk, "reporting-addresses": org.pk}
    ids["scans"] = scan_id
    shown: set[str] = set()
    for path in _api_paths(ids):
        _check(client.get(path), [org.report_token], shown, path)
    assert {
        "/api/v1/reporting-addresses/",
        f"/api/v1/reporting-addresses/{org.pk}/",
        "/api/v1/scans/",
        f"/api/v1/scans/{scan_id}/",
        f"/api/v1/domains/{domain.pk}/latest-scan/",
        f"/api/v1/domains/{domain.pk}/scans/",
    } <= shown


def test_every_page_showing_a_secret_is_no_store(client, org, scanned):
    """Every web page of tests/web/pages.py, the token just created and the organization
    list: whichever shows the report token (inside an address or a record) or an API token
    is never cached."""
    domain, _ = scanned
    owner = MembershipFactory(organization=org, role=Role.OWNER).user
    client.force_login(owner)
    created = client.post(
        f"/o/{org.slug}/settings/", {"action": "token", "name": "ci", "scope": "read"}
    )
    new_token = created.context["new_token"]
    secrets = [org.report_token, new_token]
    shown: set[str] = set()
    _check(created, secrets, shown, "token created")
    pages = [("/", {}), (f"/o/{org.slug}/domains/{domain.pk}/", {})]
    pages += [(reverse(p.name, kwargs=p.make(org)), p.query) for p in PAGES if p.get]
    for url, query in pages:
        _check(client.get(url, query), secrets, shown, url)
    assert {
        "token created",
        f"/o/{org.slug}/settings/",
        f"/o/{org.slug}/domains/{domain.pk}/",
    } <= shown


def test_admin_pages_showing_a_secret_are_no_store(client, org):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    added = client.post(
        "/admin/accounts/apitoken/add/",
        {"organization": org.pk, "name": "from-admin", "scope": "read"},
        follow=True,
    )
    plaintext = next(str(m).rsplit(" ", 1)[1] for m in added.context["messages"])
    shown: set[str] = set()
    secrets = [org.report_token, plaintext]
    _check(added, secrets, shown, "token added")
    _check(client.get(f"/admin/accounts/organization/{org.pk}/change/"), secrets, shown, "org page")
    assert shown == {"token added"}  # the admin never shows the report token
