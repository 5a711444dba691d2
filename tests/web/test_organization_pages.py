"""Organization pages: adding domains needs member, tokens need admin; outsiders get 404."""

from __future__ import annotations

import pytest

from accounts.models import ApiToken, Domain, Role
from accounts.services import api_token_authenticate, api_token_create
from tests.web.helpers import login

pytestmark = pytest.mark.django_db


def test_a_member_adds_domains_and_sees_what_was_refused(client, org):
    login(client, org, Role.MEMBER)
    response = client.post(
        f"/o/{org.slug}/",
        {"names": "one.example\nTWO.example., com", "tags": "eu, new"},
        follow=True,
    )
    page = response.content.decode()
    assert "2 added, 0 already present." in page
    assert "com: &#x27;com&#x27; is a public suffix" in page
    domains = Domain.objects.filter(organization=org).prefetch_related("tags")
    assert {d.name for d in domains} == {"one.example", "two.example"}
    assert {t.name for d in domains for t in d.tags.all()} == {"eu", "new"}


def test_a_viewer_sees_no_form_and_cannot_add(client, org):
    login(client, org, Role.VIEWER)
    assert b'id="add-domains"' not in client.get(f"/o/{org.slug}/").content
    assert client.post(f"/o/{org.slug}/", {"names": "x.example"}).status_code == 403
    assert not Domain.objects.exists()


def test_nobody_adds_domains_to_another_organization(client, org, other_org):
    login(client, org, Role.OWNER)
    assert client.post(f"/o/{other_org.slug}/", {"names": "x.example"}).status_code == 404
    assert not Domain.objects.exists()


def test_an_admin_creates_a_token_that_is_shown_once_and_works(client, org):
    login(client, org, Role.ADMIN)
    page = client.post(
        f"/o/{org.slug}/tokens/", {"name": "psa", "scope": "write", "expires_days": "30"}
    ).content.decode()
    token = ApiToken.objects.get(name="psa")
    plaintext = page.split('id="new-token"')[1].split("<code>")[1].split("</code>")[0]
    assert api_token_authenticate(plaintext) == token
    assert token.expires_at is not None and token.can_write
    assert plaintext not in client.get(f"/o/{org.slug}/tokens/").content.decode()


def test_an_admin_revokes_a_token(client, org):
    login(client, org, Role.ADMIN)
    token, plaintext = api_token_create(organization=org, name="old")
    client.post(f"/o/{org.slug}/tokens/{token.pk}/revoke/")
    assert api_token_authenticate(plaintext) is None


def test_a_member_cannot_see_or_create_tokens(client, org):
    login(client, org, Role.MEMBER)
    assert client.get(f"/o/{org.slug}/tokens/").status_code == 403
    assert client.post(f"/o/{org.slug}/tokens/", {"name": "x", "scope": "read"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_tokens_of_another_organization_are_neither_listed_nor_revocable(client, org, other_org):
    login(client, org, Role.OWNER)
    theirs, plaintext = api_token_create(organization=other_org, name="theirs")
    assert "theirs" not in client.get(f"/o/{org.slug}/tokens/").content.decode()
    response = client.post(f"/o/{org.slug}/tokens/{theirs.pk}/revoke/")
    assert response.status_code == 404
    assert api_token_authenticate(plaintext) == theirs


def test_an_msp_admin_manages_a_clients_tokens_but_the_msp_page_lists_only_its_own(
    client, msp, client_org
):
    login(client, msp, Role.ADMIN)
    api_token_create(organization=client_org, name="client-token")
    assert "client-token" not in client.get(f"/o/{msp.slug}/tokens/").content.decode()
    assert "client-token" in client.get(f"/o/{client_org.slug}/tokens/").content.decode()


def test_an_msp_admin_adds_domains_straight_into_a_client(client, msp, client_org):
    login(client, msp, Role.ADMIN)
    client.post(f"/o/{msp.slug}/", {"names": "client.example", "organization": client_org.pk})
    assert Domain.objects.get(name="client.example").organization == client_org


def test_a_member_cannot_aim_the_form_at_an_organization_they_do_not_reach(client, org, other_org):
    login(client, org, Role.MEMBER)
    page = client.post(f"/o/{org.slug}/", {"names": "x.example", "organization": other_org.pk})
    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()
    assert not Domain.objects.exists()


def test_an_expired_token_is_marked_expired_and_offers_no_revoke_button(client, org):
    from datetime import timedelta

    from django.utils import timezone

    login(client, org, Role.ADMIN)
    token, _ = api_token_create(
        organization=org, name="old", expires_at=timezone.now() - timedelta(days=1)
    )
    page = client.get(f"/o/{org.slug}/tokens/").content.decode()
    assert ">expired<" in page
    assert f"/tokens/{token.pk}/revoke/" not in page


def test_the_tokens_link_shows_for_admins_only(client, org):
    login(client, org, Role.MEMBER)
    assert f"/o/{org.slug}/tokens/" not in client.get(f"/o/{org.slug}/").content.decode()
    login(client, org, Role.ADMIN)
    assert f"/o/{org.slug}/tokens/" in client.get(f"/o/{org.slug}/").content.decode()
