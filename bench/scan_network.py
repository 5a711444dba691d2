"""``bench.scan`` on a simulated real network: the same scan loss-free and through a proxy that
delays, loses packets and never answers for some zones (``tests.scans.lossy_proxy``).

Two runs over the same Knot and policy server, with the production DNS settings
(``TLSMON_DNS_TIMEOUT`` and ``TLSMON_DNS_RETRIES``, see ``scans.dns.attempt_timeouts``):

1. **loss-free**: straight to Knot on loopback;
2. **lossy**: through ``LossyUdpProxy`` in a child process (like a real network, its work is not
   the scan's CPU, but it shares the two cores), with ``--rtt-ms``, ``--jitter-ms``, ``--loss``
   and ``--silent-zones`` domains whose server never answers.

Then every domain whose verdict differs is listed. Only silent domains may differ, and they
must be ``error`` (could not tell), never ``fail``; anything else is printed as UNEXPECTED.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
from collections import Counter
from typing import Any


def silent_domains(domains: list[str], count: int) -> list[str]:
    """``count`` domains spread over the list, each at another place in the 100-domain mix of
    ``bench.scan.zone_for`` (so good, no-record, null-MX, external... zones all go silent)."""
    if count <= 0:
        return []
    step = max(1, len(domains) // count)
    picked = [k * step + (7 + 13 * k) % min(step, 100) for k in range(count)]
    return [domains[i] for i in picked if i < len(domains)]


def _serve_proxy(upstream: tuple[str, int], options: dict, conn: Any) -> None:
    """Child process: the proxy, until the parent says stop; then its counters go back."""
    from tests.scans.lossy_proxy import LossyUdpProxy

    proxy = LossyUdpProxy(upstream, **options)
    conn.send(proxy.address)
    with contextlib.suppress(EOFError):
        conn.recv()
    proxy.stop()
    conn.send(dict(proxy.stats))


class ProxyProcess:
    def __init__(self, upstream: tuple[str, int], **options: Any):
        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve_proxy, args=(upstream, options, child), daemon=True
        )
        self.process.start()
        self.address = self.conn.recv()

    def stop(self) -> dict[str, int]:
        self.conn.send("stop")
        stats = self.conn.recv() if self.conn.poll(10) else {}
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
        return stats


def one_run(domains: list[str], nameservers: list, policy_server: Any, limit: int) -> dict:
    from django.conf import settings

    from bench.scan import make_fetcher, run_scan
    from scans.dns import build_resolver

    resolver = build_resolver(
        nameservers, timeout=settings.TLSMON_DNS_TIMEOUT, retries=settings.TLSMON_DNS_RETRIES
    )
    fetcher = make_fetcher(resolver, policy_server)
    load = os.getloadavg()[0]
    wall, cpu, verdicts = asyncio.run(run_scan(domains, resolver, fetcher, limit))
    return {
        "wall": wall,
        "cpu": cpu,
        "verdicts": verdicts,
        "queries": resolver.queries,
        "load": (load, os.getloadavg()[0]),
    }


def network_runs(
    args: argparse.Namespace, knot: Any, domains: list[str], policy_server: Any, limit: int
) -> None:
    from django.conf import settings

    silent = silent_domains(domains, args.silent_zones)
    print(
        f"DNS: timeout {settings.TLSMON_DNS_TIMEOUT:g} s per lookup, "
        f"{settings.TLSMON_DNS_RETRIES} retries; concurrency {limit}; cores {os.cpu_count()}",
        flush=True,
    )
    free = one_run(domains, knot.nameservers, policy_server, limit)
    proxy = ProxyProcess(
        knot.nameservers[0],
        rtt_ms=args.rtt_ms,
        jitter_ms=args.jitter_ms,
        loss=args.loss,
        silent=tuple(silent),
    )
    try:
        lossy = one_run(domains, [proxy.address], policy_server, limit)
    finally:
        stats = proxy.stop()
    print(
        f"network: rtt {args.rtt_ms:g} +/- {args.jitter_ms:g} ms, loss {args.loss:g} per "
        f"packet each way, {len(silent)} silent domains; proxy {stats}"
    )
    for name, run in (("loss-free", free), ("lossy", lossy)):
        verdicts = Counter(run["verdicts"])
        print(
            f"{name:<10} wall {run['wall']:6.1f} s  cpu {run['cpu']:6.1f} s  "
            f"{len(domains) / run['wall']:5.0f} domains/s  {run['queries']} queries  "
            f"load {run['load'][0]:.1f}->{run['load'][1]:.1f}  "
            + ", ".join(f"{k}={v}" for k, v in sorted(verdicts.items()))
        )
    compare(domains, free["verdicts"], lossy["verdicts"], set(silent))


def compare(domains: list[str], free: list[str], lossy: list[str], silent: set[str]) -> None:
    """Every domain whose verdict differs; only silent ones may, and only to ``error``."""
    differing = [(d, a, b) for d, a, b in zip(domains, free, lossy, strict=True) if a != b]
    unexpected = [row for row in differing if row[0] not in silent or row[2] != "error"]
    print(f"differing verdicts: {len(differing)} (unexpected: {len(unexpected)})")
    for domain, before, after in differing:
        mark = "UNEXPECTED " if (domain, before, after) in unexpected else ""
        reason = "silent" if domain in silent else "answers"
        print(f"  {mark}{domain} ({reason}): {before} -> {after}")
    unchanged = [d for d in silent if d not in {row[0] for row in differing}]
    for domain in unchanged:
        print(f"  UNEXPECTED {domain} (silent) kept its verdict")
