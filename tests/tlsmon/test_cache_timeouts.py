"""A hung Redis cache (it accepts the connection, then never answers) must not hang requests:
the cache settings carry socket timeouts (``TLSMON_REDIS_CACHE_TIMEOUT``, 1 s), and the rate
limits that count in the cache fail open, so the request is answered within about the timeout.

The hang is real: a loopback socket that listens and never replies (the kernel completes the
TCP handshake, nothing is ever read or written). The cache configuration is the project's own:
``tlsmon/settings.py`` is run again with ``REDIS_URL`` pointing at that socket.
"""

from __future__ import annotations

import runpy
import signal
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.factories import DomainFactory

pytestmark = pytest.mark.django_db
GIVE_UP = 10  # seconds: without timeouts the request would wait forever; fail instead


@pytest.fixture
def hung_cache(settings, monkeypatch) -> Iterator[float]:
    """The project's cache settings aimed at a Redis that never answers; yields the timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{listener.getsockname()[1]}/0")
    configured = runpy.run_path(str(Path(settings.BASE_DIR) / "tlsmon" / "settings.py"))
    settings.CACHES = configured["CACHES"]
    yield configured["REDIS_TIMEOUT"]
    listener.close()  # resets connections still waiting in its backlog


@contextmanager
def answered_within(seconds: float) -> Iterator[None]:
    """Fail (rather than hang the suite) if the block takes longer than ``GIVE_UP``; then
    check it took less than ``seconds``."""

    def give_up(signum, frame):
        raise TimeoutError(f"no answer after {GIVE_UP} s: the request hangs on the cache")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.setitimer(signal.ITIMER_REAL, GIVE_UP)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < seconds


def test_report_intake_fails_open_within_the_timeout(client, org, hung_cache):
    DomainFactory(organization=org, name="example.com")
    report = (
        b'{"organization-name": "Example", "report-id": "hung-1", "contact-info": "a@b.example",'
        b' "date-range": {"start-datetime": "2026-01-05T00:00:00Z",'
        b' "end-datetime": "2026-01-05T23:59:59Z"}, "policies": [{"policy":'
        b' {"policy-type": "sts", "policy-domain": "example.com"}, "summary":'
        b' {"total-successful-session-count": 5, "total-failure-session-count": 0}}]}'
    )
    with answered_within(3 * hung_cache):
        response = client.post(
            f"/tlsrpt/{org.report_token}/", report, content_type="application/tlsrpt+json"
        )
    assert response.status_code == 201, response.content


def test_api_throttle_fails_open_within_the_timeout(api_client, org, hung_cache):
    reader = api_client(org)
    with answered_within(3 * hung_cache):
        response = reader.get("/api/v1/domains/")
    assert response.status_code == 200, response.content
