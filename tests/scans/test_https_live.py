"""The MTA-STS policy fetch against a real HTTPS server (test CA) and real DNS on loopback."""

from __future__ import annotations

import asyncio

import pytest

from scans.https import MtaStsFetcher, get_policy_fetcher, is_public_address
from tests.scans.servers import PolicyResponse, free_port

pytestmark = pytest.mark.live

POLICY = "version: STSv1\nmode: enforce\nmx: mail.example.net\nmax_age: 604800\n"


@pytest.fixture
def domain(dns_server, zone_name):
    """A domain whose mta-sts host resolves to the loopback HTTPS server."""
    dns_server.set_zone(zone_name, ["mta-sts A 127.0.0.1"])
    return zone_name


def test_policy_is_fetched(fetcher, mta_sts_server, domain):
    mta_sts_server.serve(domain, PolicyResponse(body=POLICY, content_type="text/plain"))

    fetch = asyncio.run(fetcher.fetch_policy(domain))

    assert fetch.url == f"https://mta-sts.{domain}/.well-known/mta-sts.txt"
    assert (fetch.status, fetch.content_type, fetch.body) == (200, "text/plain", POLICY)
    assert (fetch.error, fetch.redirect_to, fetch.truncated) == ("", "", False)
    assert mta_sts_server.requests[-1] == f"mta-sts.{domain}"


def test_chunked_body_is_read(fetcher, mta_sts_server, domain):
    body = POLICY + "".join(f"mx: mx{n}.example.net\n" for n in range(200))
    mta_sts_server.serve(domain, PolicyResponse(body=body, chunked=True))

    fetch = asyncio.run(fetcher.fetch_policy(domain))

    assert fetch.body == body


def test_other_media_type_is_recorded(fetcher, mta_sts_server, domain):
    mta_sts_server.serve(domain, PolicyResponse(body=POLICY, content_type="text/html"))

    fetch = asyncio.run(fetcher.fetch_policy(domain))

    assert (fetch.status, fetch.content_type, fetch.error) == (200, "text/html", "")


def test_not_found_is_a_status_not_an_error(fetcher, mta_sts_server, domain):
    mta_sts_server.serve(domain, PolicyResponse(status=404, body="nope"))

    fetch = asyncio.run(fetcher.fetch_policy(domain))

    assert (fetch.status, fetch.error) == (404, "")


def test_redirect_is_reported_and_not_followed(fetcher, mta_sts_server, domain):
    target = f"https://mta-sts.{domain}/elsewhere.txt"
    mta_sts_server.serve(domain, PolicyResponse(status=301, location=target))
    seen = len(mta_sts_server.requests)

    fetch = asyncio.run(fetcher.fetch_policy(domain))

    assert (fetch.status, fetch.redirect_to) == (301, target)
    assert len(mta_sts_server.requests) == seen + 1


def test_oversized_body_is_truncated(resolver, mta_sts_server, domain):
    fetcher = MtaStsFetcher(
        resolver,
        max_bytes=1024,
        allow_private=True,
        port=mta_sts_server.port,
        ca_file=mta_sts_server.ca_file,
    )
    mta_sts_server.serve(domain, PolicyResponse(body="x" * 100_000))

    fetch = asyncio.run(fetcher.fetch_policy(domain))

    assert fetch.truncated is True
    assert len(fetch.body) == 1024


def test_certificate_for_another_name_is_an_error(fetcher, mta_sts_server, domain):
    mta_sts_server.serve(domain, PolicyResponse(body=POLICY, cert_names=("www.example.net",)))

    fetch = asyncio.run(fetcher.fetch_policy(domain))

    assert fetch.status is None
    assert fetch.error.startswith(f"certificate invalid for mta-sts.{domain}")
    assert "mismatch" in fetch.error


def test_certificate_from_an_unknown_ca_is_an_error(resolver, mta_sts_server, domain):
    fetcher = MtaStsFetcher(resolver, allow_private=True, port=mta_sts_server.port)
    mta_sts_server.serve(domain, PolicyResponse(body=POLICY))

    fetch = asyncio.run(fetcher.fetch_policy(domain))

    assert "certificate invalid" in fetch.error
    assert "unable to get local issuer certificate" in fetch.error


def test_private_address_is_refused_by_default(resolver, mta_sts_server, domain):
    fetcher = MtaStsFetcher(resolver, port=mta_sts_server.port, ca_file=mta_sts_server.ca_file)
    mta_sts_server.serve(domain, PolicyResponse(body=POLICY))
    seen = len(mta_sts_server.requests)

    fetch = asyncio.run(fetcher.fetch_policy(domain))

    assert fetch.error == "refused private address 127.0.0.1"
    assert len(mta_sts_server.requests) == seen


def test_slow_server_is_a_timeout(resolver, mta_sts_server, domain):
    fetcher = MtaStsFetcher(
        resolver,
        timeout=0.5,
        allow_private=True,
        port=mta_sts_server.port,
        ca_file=mta_sts_server.ca_file,
    )
    mta_sts_server.serve(domain, PolicyResponse(body=POLICY, delay=3))

    fetch = asyncio.run(fetcher.fetch_policy(domain))

    assert fetch.error == "timeout after 0.5 s"
    assert 400 <= fetch.elapsed_ms < 2000


def test_response_that_is_not_http_is_an_error(fetcher, mta_sts_server, domain):
    mta_sts_server.serve(domain, PolicyResponse(raw=b"SSH-2.0-OpenSSH_9.2\r\n"))

    fetch = asyncio.run(fetcher.fetch_policy(domain))

    assert fetch.status is None
    assert fetch.error.startswith(f"invalid HTTP response from mta-sts.{domain}")


def test_connection_closed_before_a_response_is_an_error(fetcher, mta_sts_server, domain):
    mta_sts_server.serve(domain, PolicyResponse(raw=b""))

    fetch = asyncio.run(fetcher.fetch_policy(domain))

    assert fetch.status is None
    assert fetch.error.startswith(f"invalid HTTP response from mta-sts.{domain}")


def test_closed_port_is_connection_refused(resolver, mta_sts_server, domain):
    port = free_port()
    fetcher = MtaStsFetcher(resolver, allow_private=True, port=port)

    fetch = asyncio.run(fetcher.fetch_policy(domain))

    assert fetch.error == f"connection refused by 127.0.0.1:{port}"


def test_missing_host_is_an_error(fetcher, dns_server, zone_name):
    dns_server.set_zone(zone_name, ["@ MX 10 mail"])

    fetch = asyncio.run(fetcher.fetch_policy(zone_name))

    assert fetch.error == f"no address for mta-sts.{zone_name} (nxdomain)"


def test_settings_build_the_fetcher(settings, resolver, mta_sts_server, domain):
    settings.TLSMON_FETCH_ALLOW_PRIVATE = True
    settings.TLSMON_MTA_STS_PORT = mta_sts_server.port
    settings.TLSMON_MTA_STS_CA_FILE = mta_sts_server.ca_file
    mta_sts_server.serve(domain, PolicyResponse(body=POLICY))

    fetch = asyncio.run(get_policy_fetcher(resolver).fetch_policy(domain))

    assert (fetch.status, fetch.body) == (200, POLICY)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("224.0.0.251", False),
        ("0.0.0.0", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
    ],
)
def test_public_address_check(address, public):
    assert is_public_address(address) is public
