"""API tokens: stored hashed, scoped read/write, revocable, expiring, last use recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, TokenScope
from accounts.services import api_token_authenticate, api_token_create, api_token_revoke
from accounts.tokens import token_digest

pytestmark = pytest.mark.django_db
URL = "/api/v1/domains/"


def bearer(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def test_only_the_digest_is_stored_never_the_secret(org):
    token, plaintext = api_token_create(organization=org, name="ci")
    row = ApiToken.objects.get(pk=token.pk)
    stored = " ".join(str(getattr(row, f.attname)) for f in ApiToken._meta.fields)
    assert plaintext not in stored
    assert row.digest == token_digest(plaintext)
    assert plaintext.startswith(row.prefix)


def test_a_valid_token_authenticates_and_resolves_its_organization(org):
    _, plaintext = api_token_create(organization=org, name="ci")
    response = bearer(plaintext).get(URL)
    assert response.status_code == 200


def test_a_revoked_token_is_refused_with_401(org):
    token, plaintext = api_token_create(organization=org, name="ci")
    api_token_revoke(token=token)
    response = bearer(plaintext).get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_refused_and_a_future_expiry_is_not(org):
    now = timezone.now()
    _, expired = api_token_create(organization=org, name="old", expires_at=now - timedelta(1))
    _, valid = api_token_create(organization=org, name="new", expires_at=now + timedelta(1))
    assert bearer(expired).get(URL).status_code == 401
    assert bearer(valid).get(URL).status_code == 200


def test_a_token_with_one_wrong_character_is_refused(org):
    _, plaintext = api_token_create(organization=org, name="ci")
    tampered = plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")
    assert bearer(tampered).get(URL).status_code == 401


def test_missing_or_malformed_authorization_is_401_in_the_error_shape(org):
    assert APIClient().get(URL).json()["code"] == "not_authenticated"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token abc")
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "bad_authorization_header"


def test_read_scope_reads_and_write_scope_writes(org):
    _, reader = api_token_create(organization=org, name="r", scope=TokenScope.READ)
    _, writer = api_token_create(organization=org, name="w", scope=TokenScope.WRITE)
    body = {"name": "example.com"}
    assert bearer(reader).get(URL).status_code == 200
    assert bearer(reader).post(URL, body, format="json").status_code == 403
    assert bearer(writer).post(URL, body, format="json").status_code == 201


def test_last_used_is_recorded_at_most_once_a_minute(org):
    token, plaintext = api_token_create(organization=org, name="ci")
    start = timezone.now()
    api_token_authenticate(plaintext, now=start)
    api_token_authenticate(plaintext, now=start + timedelta(seconds=30))
    token.refresh_from_db()
    assert token.last_used_at == start
    api_token_authenticate(plaintext, now=start + timedelta(seconds=61))
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(seconds=61)


def test_token_cleanup_deletes_only_long_dead_tokens(org):
    from accounts.services import api_token_cleanup

    now = timezone.now()
    old, _ = api_token_create(organization=org, name="old")
    api_token_revoke(token=old, now=now - timedelta(days=100))
    recent, _ = api_token_create(organization=org, name="recent")
    api_token_revoke(token=recent, now=now - timedelta(days=5))
    api_token_create(organization=org, name="live")
    assert api_token_cleanup(now=now, keep_days=90) == 1
    assert set(ApiToken.objects.values_list("name", flat=True)) == {"recent", "live"}
