"""Brute-force protection of /login/ (django-allauth's form) and /admin/login/ (django-axes,
configured in settings).

Each case runs with both stores an operator can choose: the database (PostgreSQL here,
SQLite in the quickstart) and the shared Redis cache.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt

from tests.factories import UserFactory
from tests.services import on_sqlite

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
STORES = {
    "database": "axes.handlers.database.AxesDatabaseHandler",
    "cache": "axes.handlers.cache.AxesCacheHandler",
}


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Every attempt checks a password; the default PBKDF2 rounds would make this file slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_FAILURE_LIMIT = 3


def _use_store(settings, name: str) -> None:
    settings.AXES_HANDLER = STORES[name]
    AxesProxyHandler.get_implementation(force=True)


# The quickstart's shape (scripts/test's SQLite run) has no Redis: only the database store.
@pytest.fixture(params=["database"] if on_sqlite() else sorted(STORES))
def store(request, settings):
    if request.param == "cache":
        request.getfixturevalue("redis_url")
        assert "RedisCache" in settings.CACHES["default"]["BACKEND"]
    _use_store(settings, request.param)
    yield request.param
    _use_store(settings, "database")


@pytest.fixture
def alice():
    return UserFactory(email="alice@example.com", is_staff=True, is_superuser=True)


def _login(client, username: str, password: str, *, address: str, path: str = "/login/", **extra):
    field = "username" if path.startswith("/admin/") else "login"  # allauth's form: "login"
    return client.post(path, {field: username, "password": password}, REMOTE_ADDR=address, **extra)


def _is_locked_out(response) -> bool:
    return response.status_code == 429 and b"Too many failed logins" in response.content


def test_an_account_is_locked_after_the_limit_even_from_fresh_addresses(client, store, alice):
    codes = [_login(client, alice.email, "wrong", address=f"198.51.100.{n}") for n in range(3)]
    assert [r.status_code for r in codes] == [200, 200, 429]  # the third failure locks
    response = _login(client, alice.email, PASSWORD, address="203.0.113.50")
    assert _is_locked_out(response)
    assert int(response["Retry-After"]) == 15 * 60
    assert b"15 minutes" in response.content
    assert "_auth_user_id" not in client.session


def test_other_spellings_of_the_email_count_against_the_same_account(client, store, alice):
    for n, spelling in enumerate(["ALICE@example.com", " Alice@Example.com", "alice@EXAMPLE.COM"]):
        _login(client, spelling, "wrong", address=f"198.51.100.{n}")
    assert _is_locked_out(_login(client, alice.email, PASSWORD, address="203.0.113.50"))


def test_an_address_is_locked_after_the_limit_across_accounts(client, store, alice):
    for n in range(3):
        _login(client, f"guess{n}@example.com", "wrong", address="192.0.2.66")
    assert _is_locked_out(_login(client, alice.email, PASSWORD, address="192.0.2.66"))
    response = _login(client, alice.email, PASSWORD, address="192.0.2.67")
    assert response.status_code == 302  # another address, and alice's own count is zero


def test_the_admin_login_is_protected_too(client, store, alice):
    for _ in range(3):
        _login(client, alice.email, "wrong", address="192.0.2.10", path="/admin/login/")
    response = _login(client, alice.email, PASSWORD, address="192.0.2.11", path="/admin/login/")
    assert _is_locked_out(response)
    assert "_auth_user_id" not in client.session


def test_forged_forwarded_for_headers_do_not_dodge_the_address_lock(client, store, alice):
    for n in range(3):
        forged = {"HTTP_X_FORWARDED_FOR": f"10.9.9.{n}"}
        _login(client, f"x{n}@example.com", "w", address="192.0.2.66", **forged)
    forged = {"HTTP_X_FORWARDED_FOR": "10.1.1.1"}
    assert _is_locked_out(_login(client, alice.email, PASSWORD, address="192.0.2.66", **forged))


def test_behind_a_trusted_proxy_the_lock_applies_to_the_client_not_the_proxy(
    client, store, alice, settings
):
    settings.TLSMON_TRUSTED_PROXIES = ["10.0.0.0/8"]
    for n in range(3):
        _login(
            client,
            f"x{n}@example.com",
            "w",
            address="10.0.0.2",
            HTTP_X_FORWARDED_FOR="7.7.7.7, 192.0.2.66",
        )
    via_proxy = {"address": "10.0.0.2"}
    locked = _login(client, alice.email, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.66", **via_proxy)
    assert _is_locked_out(locked)
    other = _login(client, alice.email, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.77", **via_proxy)
    assert other.status_code == 302


def _age_attempts(by: timedelta) -> None:
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= by
        attempt.save(update_fields=["attempt_time"])


def test_the_lock_ends_once_the_cool_off_has_passed(client, alice):
    for _ in range(3):
        _login(client, alice.email, "wrong", address="192.0.2.10")
    _age_attempts(timedelta(minutes=16))
    assert _login(client, alice.email, PASSWORD, address="192.0.2.10").status_code == 302


def test_an_attempt_during_the_lock_out_starts_the_wait_again(client, alice):
    for _ in range(3):
        _login(client, alice.email, "wrong", address="192.0.2.10")
    _age_attempts(timedelta(minutes=10))
    assert _is_locked_out(_login(client, alice.email, "still guessing", address="192.0.2.10"))
    _age_attempts(timedelta(minutes=10))  # 20 minutes after the lock, 10 after the last try
    assert _is_locked_out(_login(client, alice.email, PASSWORD, address="192.0.2.10"))
