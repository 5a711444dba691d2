"""Real DNS (Knot) and HTTPS (MTA-STS) servers on loopback for the scan tests.

One Knot and one HTTPS server per session; each test publishes its own zones under a unique
name (``zone_name``), so tests never see each other's records.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import dns.rcode
import pytest

from scans.dns import DnsPythonResolver, build_resolver
from scans.https import MtaStsFetcher
from tests.scans.servers import KNOTC, KNOTD, KnotServer, MtaStsServer, StubDnsServer
from tests.services import require_service

_names = itertools.count(1)


@pytest.fixture(scope="session")
def dns_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnotServer]:
    """knotd on 127.0.0.1:<free port>; tests add zones with ``set_zone``."""
    if not (KNOTD and KNOTC):
        require_service(False, "Knot DNS (knotd, knotc)")
    server = KnotServer(tmp_path_factory.mktemp("knot"))
    try:
        server.start()
    except RuntimeError as exc:
        server.stop()
        require_service(False, f"Knot DNS ({exc})")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def silent_dns_server() -> Iterator[StubDnsServer]:
    """A nameserver that never answers: lookups against it time out."""
    server = StubDnsServer(rcode=None)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def servfail_dns_server() -> Iterator[StubDnsServer]:
    server = StubDnsServer(rcode=dns.rcode.SERVFAIL)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mta_sts_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MtaStsServer]:
    """HTTPS with a test CA; ``serve(domain, PolicyResponse(...))`` sets what it answers."""
    server = MtaStsServer(tmp_path_factory.mktemp("mta-sts"))
    yield server
    server.stop()


@pytest.fixture
def zone_name() -> str:
    """A domain name no other test uses (under .test, RFC 6761)."""
    return f"t{next(_names)}.tlsmon.test"


@pytest.fixture
def dns_settings(settings, dns_server: KnotServer):
    """Point the settings-built resolvers (scans, DKIM) at the loopback Knot server."""
    settings.TLSMON_DNS_NAMESERVERS = dns_server.nameservers
    settings.TLSMON_DNS_TIMEOUT = 2.0
    return settings


@pytest.fixture
def resolver(dns_server: KnotServer) -> DnsPythonResolver:
    return build_resolver(dns_server.nameservers, timeout=2.0, retries=0)


@pytest.fixture
def fetcher(resolver: DnsPythonResolver, mta_sts_server: MtaStsServer) -> MtaStsFetcher:
    """The real fetcher pointed at the loopback HTTPS server (private addresses allowed)."""
    return MtaStsFetcher(
        resolver,
        timeout=2.0,
        max_bytes=64 * 1024,
        allow_private=True,
        port=mta_sts_server.port,
        ca_file=mta_sts_server.ca_file,
    )
