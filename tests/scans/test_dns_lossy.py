"""Scans over a network that delays and loses packets: Knot behind ``LossyUdpProxy``.

A timeout is retried before it counts (``scans.dns.attempt_timeouts``), so packet loss never
changes a verdict, and a server that never answers gives ``error``, never ``fail``.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from core.vocabulary import MtaStsStatus, Verdict
from scans.checker import check
from scans.dns import attempt_timeouts, build_resolver
from scans.observations import Outcome
from tests.scans.lossy_proxy import LossyUdpProxy, query_name

pytestmark = pytest.mark.live

RECORD = '_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tlsrpt@{zone}"'
MX = ["@ MX 10 mx1", "mx1 A 192.0.2.10"]


@pytest.fixture
def proxy_factory(dns_server):
    proxies: list[LossyUdpProxy] = []

    def make(**options) -> LossyUdpProxy:
        proxies.append(LossyUdpProxy(dns_server.nameservers[0], **options))
        return proxies[-1]

    yield make
    for proxy in proxies:
        proxy.stop()


def test_tries_wait_doubling_parts_of_the_lookup_budget():
    assert attempt_timeouts(5.0, 3) == pytest.approx((5 / 15, 10 / 15, 20 / 15, 40 / 15))
    assert attempt_timeouts(2.0, 0) == (2.0,)
    assert sum(attempt_timeouts(5.0, 5)) == pytest.approx(5.0)


def test_query_name_reads_the_question(dns_server, zone_name):
    import dns.message

    wire = dns.message.make_query(f"_smtp._tls.{zone_name}.", "TXT").to_wire()
    assert query_name(wire) == f"_smtp._tls.{zone_name}"


def test_a_lost_query_is_retried_before_the_lookup_counts(dns_server, zone_name, proxy_factory):
    dns_server.set_zone(zone_name, [*MX, RECORD.format(zone=zone_name)])
    proxy = proxy_factory(drop_first=1)  # the first query of every name is lost

    once = build_resolver([proxy.address], timeout=0.5, retries=0)
    lost = asyncio.run(once.txt(f"_smtp._tls.{zone_name}"))
    retried = build_resolver([proxy.address], timeout=1.0, retries=1)
    answer = asyncio.run(retried.mx(zone_name))

    assert (lost.outcome, lost.error) == (Outcome.ERROR, once.no_answer())
    assert (answer.outcome, retried.queries) == (Outcome.OK, 2)


def test_a_server_that_never_answers_costs_the_budget_once_not_per_try(proxy_factory):
    proxy = proxy_factory(silent=("dead.test",))
    resolver = build_resolver([proxy.address], timeout=0.6, retries=2)

    started = time.monotonic()
    answer = asyncio.run(resolver.mx("example.dead.test"))
    elapsed = time.monotonic() - started

    assert (answer.outcome, answer.error, resolver.queries) == (
        Outcome.ERROR,
        resolver.no_answer(),
        3,
    )
    assert 0.55 < elapsed < 0.95  # three tries of 0.09, 0.17 and 0.34 s, not 3 x 0.6 s


def _verdicts(domains: list[str], resolver) -> dict[str, tuple[Verdict, MtaStsStatus | None]]:
    async def run() -> list:
        return await asyncio.gather(*(check(d, resolver=resolver) for d in domains))

    return {r.domain: (r.verdict, r.mta_sts_status) for r in asyncio.run(run())}


def test_a_delaying_lossy_network_changes_no_verdict_and_silence_is_error(
    dns_server, zone_name, proxy_factory
):
    """
    GIVEN domains in several situations, and one whose server never answers
    WHEN they are checked directly and through 30 +/- 10 ms round trips losing 10% of packets
    THEN every verdict and MTA-STS status is the same, except the silent domain: error, not fail
    """
    zones = {
        f"good.{zone_name}": [*MX, RECORD.format(zone=f"good.{zone_name}")],
        f"bare.{zone_name}": MX,
        f"null.{zone_name}": ["@ MX 0 ."],
        f"sts.{zone_name}": [*MX, RECORD.format(zone=f"sts.{zone_name}"), '_mta-sts TXT "v=STSv1"'],
        f"dead.{zone_name}": MX,
    }
    dns_server.set_zones(zones)
    proxy = proxy_factory(rtt_ms=30, jitter_ms=10, loss=0.10, silent=(f"dead.{zone_name}",))

    direct = _verdicts(list(zones), build_resolver(dns_server.nameservers, timeout=2, retries=0))
    lossy = _verdicts(list(zones), build_resolver([proxy.address], timeout=3.0, retries=5))

    assert direct[f"dead.{zone_name}"][0] is Verdict.FAIL  # it has no record when it answers
    assert lossy.pop(f"dead.{zone_name}") == (Verdict.ERROR, MtaStsStatus.ERROR)
    assert lossy == {name: seen for name, seen in direct.items() if not name.startswith("dead.")}
    assert proxy.stats["lost_queries"] + proxy.stats["lost_answers"] > 0
