"""Which address a request comes from: X-Forwarded-For counts only through trusted proxies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from api.client_address import client_address


def _request(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        # No trusted proxy: the header is whatever the client wrote, so it is ignored.
        ([], "192.0.2.5", "203.0.113.9", "192.0.2.5"),
        # The peer is a trusted proxy: the hop it appended is the client.
        (["10.0.0.1"], "10.0.0.1", "203.0.113.9", "203.0.113.9"),
        # The client forged hops of its own: they sit left of the proxy's hop, never reached.
        (["10.0.0.1"], "10.0.0.1", "6.6.6.6, 1.1.1.1, 203.0.113.9", "203.0.113.9"),
        # Two trusted proxies in a row (a load balancer in front of nginx).
        (["10.0.0.0/8"], "10.0.0.1", "9.9.9.9, 198.51.100.4, 10.0.0.7", "198.51.100.4"),
        # The peer is not a trusted proxy: its header is not believed.
        (["10.0.0.1"], "192.0.2.5", "203.0.113.9", "192.0.2.5"),
        # Garbage in the chain: stop at the last hop a trusted proxy vouched for.
        (["10.0.0.0/8"], "10.0.0.1", "203.0.113.9, not-an-ip, 10.0.0.7", "10.0.0.7"),
        # A trusted proxy without the header.
        (["10.0.0.1"], "10.0.0.1", None, "10.0.0.1"),
        # Ports, brackets and IPv4-mapped IPv6 are normalized.
        (["10.0.0.1"], "10.0.0.1", "203.0.113.9:4711", "203.0.113.9"),
        (["::1"], "::1", "[2001:db8::5]:443", "2001:db8::5"),
        (["10.0.0.1"], "::ffff:10.0.0.1", "2001:db8::5", "2001:db8::5"),
    ],
)
def test_the_client_address_trusts_forwarded_for_only_through_trusted_proxies(
    settings, trusted, remote, forwarded, expected
):
    settings.TLSMON_TRUSTED_PROXIES = trusted
    assert client_address(_request(remote, forwarded)) == expected


@pytest.mark.django_db
@pytest.mark.live
def test_forged_forwarded_for_headers_do_not_dodge_the_anonymous_throttle(settings, redis_url):
    """GIVEN a public endpoint limited to 2 anonymous calls a minute and no trusted proxy
    WHEN one client sends a new X-Forwarded-For with every call
    THEN the third call is refused all the same (DRF's own ident keyed on the header)."""
    settings.TLSMON_ANON_THROTTLE_RATE = "2/minute"
    client = APIClient()
    codes = [
        client.get("/api/v1/schema/", REMOTE_ADDR="192.0.2.5", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        for n in range(3)
    ]
    assert [c.status_code for c in codes] == [200, 200, 429]


@pytest.mark.django_db
@pytest.mark.live
def test_behind_a_trusted_proxy_each_client_has_its_own_anonymous_limit(settings, redis_url):
    settings.TLSMON_ANON_THROTTLE_RATE = "1/minute"
    settings.TLSMON_TRUSTED_PROXIES = ["10.0.0.0/8"]
    client = APIClient()

    def call(forwarded: str) -> int:
        return client.get(
            "/api/v1/schema/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    assert call("192.0.2.5") == 200
    assert call("7.7.7.7, 192.0.2.5") == 429  # the same client, whatever it adds on the left
    assert call("192.0.2.6") == 200  # another client behind the same proxy
