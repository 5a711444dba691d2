"""The settings page: name and scan interval, reporting addresses, API tokens (shown once,
revoked after a confirmation). Admins change it; everyone else reads it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ApiToken, Role
from accounts.services import api_token_authenticate, api_token_create
from tests.web.helpers import login

pytestmark = pytest.mark.django_db


def field_errors(page: str, field: str) -> str:
    block = page.split(f'id="field-{field}"')[1].split("</p>")[0]
    return " ".join(re.findall(r"<li>(.*?)</li>", block))


def save(client, org, **fields):
    return client.post(f"/o/{org.slug}/settings/", {"action": "organization", **fields})


def test_an_admin_renames_the_organization_and_changes_the_scan_interval(client, org):
    login(client, org, Role.ADMIN)
    save(client, org, name="Alpha Group", scan_interval_hours="6")
    org.refresh_from_db()
    assert (org.name, org.scan_interval_hours) == ("Alpha Group", 6)


def test_a_bad_scan_interval_is_an_error_on_its_field_and_changes_nothing(client, org):
    login(client, org, Role.ADMIN)
    page = save(client, org, name="Alpha Group", scan_interval_hours="200").content.decode()
    assert "less than or equal to 168" in field_errors(page, "scan_interval_hours")
    assert 'value="Alpha Group"' in page  # what was typed stays
    org.refresh_from_db()
    assert (org.name, org.scan_interval_hours) == ("Alpha Corp", 24)


def test_a_member_reads_the_settings_but_cannot_change_them(client, org):
    login(client, org, Role.MEMBER)
    page = client.get(f"/o/{org.slug}/settings/").content.decode()
    assert 'id="read-only"' in page and 'name="scan_interval_hours"' not in page
    assert save(client, org, name="Hijacked", scan_interval_hours="1").status_code == 403
    org.refresh_from_db()
    assert org.name == "Alpha Corp"


def test_the_reporting_addresses_and_the_record_naming_them_are_shown(client, org):
    login(client, org, Role.VIEWER)
    page = client.get(f"/o/{org.slug}/settings/").content.decode()
    assert org.report_mailto in page
    assert f"v=TLSRPTv1; rua={','.join(org.report_destinations)}" in page


def test_an_admin_creates_a_token_that_is_shown_once_and_works(client, org):
    login(client, org, Role.ADMIN)
    response = client.post(
        f"/o/{org.slug}/settings/",
        {"action": "token", "name": "psa", "scope": "write", "expires_days": "30"},
    )
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    plaintext = page.split('id="new-token"')[1].split('class="record"')[1]
    plaintext = plaintext.split(">")[1].split("</pre")[0]
    token = ApiToken.objects.get(name="psa")
    assert api_token_authenticate(plaintext) == token
    assert token.expires_at is not None and token.can_write
    assert plaintext not in client.get(f"/o/{org.slug}/settings/").content.decode()


def test_a_token_without_a_name_is_an_error_on_its_field(client, org):
    login(client, org, Role.ADMIN)
    page = client.post(
        f"/o/{org.slug}/settings/", {"action": "token", "name": "", "scope": "read"}
    ).content.decode()
    assert field_errors(page, "token-name") == "This field is required."
    assert not ApiToken.objects.exists()


def test_revoking_asks_first_then_revokes(client, org):
    login(client, org, Role.ADMIN)
    token, plaintext = api_token_create(organization=org, name="old")
    api_token_authenticate(plaintext)  # used once: the confirmation says when
    url = f"/o/{org.slug}/tokens/{token.pk}/revoke/"
    page = client.get(url).content.decode()
    assert "Revoke the token “old”?" in page and "Last used: never" not in page
    assert api_token_authenticate(plaintext) == token  # asking revoked nothing
    assert client.post(url)["Location"] == f"/o/{org.slug}/settings/#tokens"
    assert api_token_authenticate(plaintext) is None


def test_a_member_cannot_create_or_revoke_tokens(client, org):
    token, plaintext = api_token_create(organization=org, name="kept")
    login(client, org, Role.MEMBER)
    body = {"action": "token", "name": "x", "scope": "read"}
    assert client.post(f"/o/{org.slug}/settings/", body).status_code == 403
    assert client.get(f"/o/{org.slug}/tokens/{token.pk}/revoke/").status_code == 403
    assert client.post(f"/o/{org.slug}/tokens/{token.pk}/revoke/").status_code == 403
    assert list(ApiToken.objects.all()) == [token]
    assert api_token_authenticate(plaintext) == token


def test_tokens_of_another_organization_are_neither_listed_nor_revocable(client, org, other_org):
    login(client, org, Role.OWNER)
    theirs, plaintext = api_token_create(organization=other_org, name="theirs")
    assert "theirs" not in client.get(f"/o/{org.slug}/settings/").content.decode()
    assert client.post(f"/o/{org.slug}/tokens/{theirs.pk}/revoke/").status_code == 404
    assert api_token_authenticate(plaintext) == theirs


def test_the_msp_page_lists_only_its_own_tokens_and_the_client_page_the_clients(
    client, msp, client_org
):
    login(client, msp, Role.ADMIN)
    api_token_create(organization=client_org, name="client-token")
    assert "client-token" not in client.get(f"/o/{msp.slug}/settings/").content.decode()
    assert "client-token" in client.get(f"/o/{client_org.slug}/settings/").content.decode()


def test_an_expired_token_is_marked_expired_and_offers_no_revoke_link(client, org):
    login(client, org, Role.ADMIN)
    token, _ = api_token_create(
        organization=org, name="old", expires_at=timezone.now() - timedelta(days=1)
    )
    page = client.get(f"/o/{org.slug}/settings/").content.decode()
    assert ">expired<" in page
    assert f"/tokens/{token.pk}/revoke/" not in page


def test_the_former_tokens_address_still_shows_the_tokens(client, org):
    login(client, org, Role.ADMIN)
    api_token_create(organization=org, name="psa")
    page = client.get(f"/o/{org.slug}/tokens/").content.decode()
    assert 'id="tokens"' in page and "psa" in page
