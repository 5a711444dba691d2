"""The tenancy cast and the real services every test session uses.

Cast: ``org`` (a standalone organization), ``msp`` with ``client`` (its client organization),
``other_org`` (an outsider); ``api_client(org, write=...)`` gives an API client with a token.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import TokenScope
from accounts.services import api_token_create
from tests.factories import OrganizationFactory
from tests.services import in_ci, on_sqlite, require_service


def pytest_configure(config) -> None:
    vendor = settings.DATABASES["default"]["ENGINE"]
    if on_sqlite():
        if "sqlite" not in vendor:
            raise pytest.UsageError("TLSMON_TEST_DATABASE=sqlite needs DATABASE_URL unset")
        return
    if "postgresql" not in vendor:
        message = (
            "the test suite runs on PostgreSQL: use scripts/test, or set DATABASE_URL "
            "(e.g. postgres://postgres@127.0.0.1:5432/tlsmon) and REDIS_URL"
        )
        if in_ci():
            raise pytest.UsageError(message)
        config.issue_config_time_warning(pytest.PytestConfigWarning(message), stacklevel=2)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache (Redis): each test starts from zero."""
    import redis

    try:
        cache.clear()
    except redis.RedisError as exc:
        require_service(False, f"Redis at {settings.REDIS_URL} ({exc})")
    yield


@pytest.fixture
def redis_url() -> str:
    import redis

    url = settings.REDIS_URL
    ok = False
    if url:
        try:
            ok = bool(redis.Redis.from_url(url, socket_timeout=2).ping())
        except redis.RedisError:
            ok = False
    require_service(ok, f"Redis at {url or '(REDIS_URL unset)'}")
    return url


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Alpha Corp", slug="alpha")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(name="Outsider Inc", slug="outsider")


@pytest.fixture
def msp(db):
    return OrganizationFactory(name="Managed Services Ltd", slug="msp")


@pytest.fixture
def client_org(msp):
    return OrganizationFactory(name="Client One", slug="client-one", managed_by=msp)


@pytest.fixture
def api_client(db):
    """``api_client(org, write=False)`` -> an APIClient authenticated with a new token."""

    def make(organization, *, write: bool = False) -> APIClient:
        _, plaintext = api_token_create(
            organization=organization,
            name="test",
            scope=TokenScope.WRITE if write else TokenScope.READ,
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
        client.token = plaintext
        return client

    return make


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests do not run collectstatic, so templates resolve static files unhashed."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _forget_result_backend() -> None:
    """Celery caches its result backend per thread once used; drop it after a config change."""
    from tlsmon.celery import app

    vars(app._local).pop("backend", None)


@pytest.fixture
def tasks_in_process():
    """Run Celery tasks inline, as the single-process quickstart does (no worker needed)."""
    from tlsmon.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    _forget_result_backend()


@pytest.fixture(autouse=True)
def _no_dkim_lookups(settings):
    """The report emails in the tests are real samples signed by Google, Microsoft, ...: their
    keys cannot be fetched on a closed network. tests/reports/test_dkim.py switches the check
    on against its own DNS server."""
    settings.TLSMON_REPORT_DKIM = "off"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback that Django sends to; read ``smtp_server.messages``."""
    from tests.mail import SmtpSink

    sink = SmtpSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield sink
    sink.stop()
