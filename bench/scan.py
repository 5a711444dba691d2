"""Scan benchmark: ``scans.checker.check`` over N domains served by a local Knot DNS.

    python -m bench.scan [--domains 10000] [--concurrency 200] [--policy local|off]
    python -m bench.scan --rtt-ms 30 --jitter-ms 10 --loss 0.01 --silent-zones 20

It writes one zone per domain (a realistic mix, see ``zone_for``), starts knotd on loopback
(``tests.scans.servers.KnotServer``), then

1. runs the full scan (no database): ``check`` for every domain, at most ``--concurrency`` at a
   time, through the real ``DnsPythonResolver`` (a thin wrapper records each lookup);
2. replays exactly the lookups the scan made as raw dnspython asyncio queries at the same
   concurrency: the BASELINE, i.e. what the DNS stack alone can do on this machine;

and prints wall time, domains/s, DNS queries/s, peak RSS and the scan/baseline query-rate ratio.
With ``--policy local`` the MTA-STS domains' policies come from a local HTTPS server (trustme CA,
private address allowed) in a child process; ``--policy off`` publishes no MTA-STS records, so
no policy is fetched.

With ``--rtt-ms``, ``--jitter-ms``, ``--loss`` or ``--silent-zones`` (a real network) it runs the
scan twice instead: loss-free straight to Knot, then through ``tests.scans.lossy_proxy`` (in a
child process) that delays, drops and, for the silent zones, never answers; it prints both runs
and every domain whose verdict differs (only silent domains may, and they must be ``error``).
The resolver uses the production settings (``TLSMON_DNS_TIMEOUT``, ``TLSMON_DNS_RETRIES``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

PROVIDER_AUTH = "rpt-auth.bench"  # authorizes half of its customers one by one
PROVIDER_WILD = "rpt-wild.bench"  # authorizes everyone with *._report._tls
PROVIDER_NONE = "rpt-none.bench"  # authorizes nobody
POLICY = "version: STSv1\nmode: enforce\nmx: mx1.{d}\nmx: mx2.{d}\nmax_age: 1209600\n"


def setup_django() -> None:
    """The checker's modules read settings; the benchmark needs no database or secret."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tlsmon.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    import django

    django.setup()


def domain_name(i: int) -> str:
    return f"d{i:05d}.scan.bench"


def zone_for(i: int, d: str, *, mta_sts: bool) -> tuple[list[str], str]:
    """Zone lines for domain number ``i`` and its kind. The mix, per 100 domains:
    60 good (2 MX + record), 10 no record, 5 null MX, 3 implicit MX (A only, no MX),
    12 external rua (4 authorized, 4 wildcard, 4 unauthorized), 2 CNAME at _smtp._tls,
    8 good + MTA-STS (TXT, policy host at 127.0.0.1)."""
    mx = ["@ MX 10 mx1", "@ MX 20 mx2", "mx1 A 192.0.2.1", "mx2 A 192.0.2.2"]
    record = f'_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tlsrpt@{d}"'
    slot = i % 100
    if slot < 60:
        return [*mx, record], "good"
    if slot < 70:
        return mx, "no_record"
    if slot < 75:
        return ["@ MX 0 ."], "null_mx"
    if slot < 78:
        return ["@ A 192.0.2.25", record], "implicit_mx"
    if slot < 90:
        provider = (PROVIDER_AUTH, PROVIDER_WILD, PROVIDER_NONE)[slot % 3]
        rua = f'_smtp._tls TXT "v=TLSRPTv1;" " rua=mailto:{d}@{provider}"'
        return [*mx, rua], f"external:{provider}"
    if slot < 92:
        target = f'rpt TXT "v=TLSRPTv1; rua=mailto:r@{d}"'
        return [*mx, "_smtp._tls CNAME rpt", target], "cname"
    if not mta_sts:
        return [*mx, record], "good"
    sts = ['_mta-sts TXT "v=STSv1; id=20250101"', "mta-sts A 127.0.0.1"]
    return [*mx, record, *sts], "mta_sts"


def build_zones(count: int, *, mta_sts: bool) -> tuple[dict[str, list[str]], dict[str, str]]:
    """All zones (domains and rua providers) and each domain's kind."""
    zones: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    authorized = []
    for i in range(count):
        d = domain_name(i)
        zones[d], kind = zone_for(i, d, mta_sts=mta_sts)
        kinds[d] = kind
        if kind == f"external:{PROVIDER_AUTH}" and i % 2 == 0:
            authorized.append(f'{d}._report._tls TXT "v=TLSRPTv1;"')
    zones[PROVIDER_AUTH] = authorized
    zones[PROVIDER_WILD] = ['*._report._tls TXT "v=TLSRPTv1;"']
    zones[PROVIDER_NONE] = ["@ MX 10 mx"]
    return zones, kinds


class RecordingResolver:
    """Passes lookups to the real resolver and notes (name, type) for the baseline replay."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.lookups: list[tuple[str, str]] = []

    async def txt(self, name: str) -> Any:
        self.lookups.append((name, "TXT"))
        return await self.inner.txt(name)

    async def mx(self, name: str) -> Any:
        self.lookups.append((name, "MX"))
        return await self.inner.mx(name)

    async def addresses(self, name: str) -> Any:
        self.lookups.append((name, "A"))
        self.lookups.append((name, "AAAA"))
        return await self.inner.addresses(name)


async def bounded(items: Iterable[Any], work: Callable[[Any], Awaitable[Any]], limit: int) -> list:
    """Run ``work`` over ``items`` with at most ``limit`` running (asyncio.Semaphore)."""
    semaphore = asyncio.Semaphore(limit)

    async def one(item: Any) -> Any:
        async with semaphore:
            return await work(item)

    return await asyncio.gather(*(one(item) for item in items))


async def measured(awaitable: Awaitable[Any]) -> tuple[float, float, Any]:
    """Wall seconds, this process's CPU seconds (all threads), and the result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = await awaitable
    return time.perf_counter() - wall, time.process_time() - cpu, result


async def run_scan(domains: list[str], resolver: Any, fetcher: Any, limit: int) -> tuple:
    from django.conf import settings

    from scans.checker import check

    own_hosts = (settings.TLSMON_REPORT_DOMAIN,)

    async def work(domain: str) -> str:
        # Keep only the verdict: a worker task holds one chunk of results, not 10,000. As a
        # scheduled round: TLSMon's side of the authorization is for first/on-demand scans.
        result = await check(
            domain, resolver=resolver, fetcher=fetcher, tlsmon_hosts=own_hosts, tlsmon_side=False
        )
        return str(result.verdict)

    return await measured(bounded(domains, work, limit))


async def run_baseline(lookups: list[tuple[str, str]], nameservers: list, limit: int) -> tuple:
    """The same lookups as raw ``dns.asyncresolver`` queries: no parsing, no Answer values."""
    import dns.asyncresolver
    import dns.exception
    import dns.nameserver

    raw = dns.asyncresolver.Resolver(configure=False)
    raw.nameservers = [dns.nameserver.Do53Nameserver(h, p) for h, p in nameservers]
    raw.timeout = raw.lifetime = 5.0
    raw.cache = None
    raw.use_edns(0, 0, 1232)

    async def work(lookup: tuple[str, str]) -> None:
        with contextlib.suppress(dns.exception.DNSException):
            await raw.resolve(lookup[0] + ".", lookup[1], raise_on_no_answer=False, search=False)

    return await measured(bounded(lookups, work, limit))


def _serve_policies(workdir: Path, domains: list[str], conn: Any) -> None:
    """Child process: the HTTPS policy server, until the parent says stop (or goes away)."""
    from tests.scans.servers import MtaStsServer, PolicyResponse

    server = MtaStsServer(workdir)
    for d in domains:
        server.serve(d, PolicyResponse(body=POLICY.format(d=d)))
    conn.send((server.port, server.ca_file))
    with contextlib.suppress(EOFError):
        conn.recv()
    server.stop()


class PolicyServerProcess:
    """``MtaStsServer`` in its own process, so its TLS work is not charged to the scan (a real
    policy host is another machine); it still shares the CPUs, like knotd."""

    def __init__(self, workdir: Path, domains: list[str]):
        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve_policies, args=(workdir, domains, child), daemon=True
        )
        self.process.start()
        self.port, self.ca_file = self.conn.recv()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send("stop")
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()


def knotd_peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domains", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=None, help="default: settings")
    parser.add_argument("--policy", choices=("local", "off"), default="local")
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temp dir")
    network = parser.add_argument_group("a real network (runs loss-free, then through a proxy)")
    network.add_argument("--rtt-ms", type=float, default=0.0, help="round trip, e.g. 30")
    network.add_argument("--jitter-ms", type=float, default=0.0, help="+/- on the round trip")
    network.add_argument("--loss", type=float, default=0.0, help="per packet, each way, e.g. 0.01")
    network.add_argument(
        "--silent-zones", type=int, default=0, help="domains whose server never answers"
    )
    return parser.parse_args(argv)


def simulated(args: argparse.Namespace) -> bool:
    return bool(args.rtt_ms or args.jitter_ms or args.loss or args.silent_zones)


def start_knot(workdir: Path, zones: dict[str, list[str]]) -> Any:
    from tests.scans.servers import KnotServer

    knot = KnotServer(workdir / "knot")
    started = time.perf_counter()
    knot.set_zones(zones)
    try:
        knot.start()
    except BaseException:
        knot.stop()
        raise
    print(f"knotd: {len(zones)} zones loaded in {time.perf_counter() - started:.1f} s", flush=True)
    return knot


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_django()
    from django.conf import settings

    limit = args.concurrency or settings.TLSMON_SCAN_CONCURRENCY
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tlsmon-bench-"))
    zones, kinds = build_zones(args.domains, mta_sts=args.policy == "local")
    knot = start_knot(workdir, zones)
    del zones  # the zone text lives in knotd now; keep the scan's heap realistic
    domains = [domain_name(i) for i in range(args.domains)]
    policy_server = None
    try:
        if args.policy == "local":
            sts = [d for d in domains if kinds[d] == "mta_sts"]
            policy_server = PolicyServerProcess(workdir, sts)
        if simulated(args):
            from bench.scan_network import network_runs

            network_runs(args, knot, domains, policy_server, limit)
        else:
            loopback_run(args, knot, domains, kinds, policy_server, limit)
        print(
            f"peak RSS (python, after scan): {peak_rss_mib():.0f} MiB; "
            f"knotd peak RSS: {knotd_peak_kib(knot.process.pid) / 1024:.0f} MiB"
        )
    finally:
        if policy_server is not None:
            policy_server.stop()
        knot.stop()
    return 0


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_fetcher(resolver: Any, policy_server: PolicyServerProcess | None) -> Any:
    from scans.https import MtaStsFetcher

    if policy_server is None:
        return None
    return MtaStsFetcher(
        resolver, allow_private=True, port=policy_server.port, ca_file=policy_server.ca_file
    )


def loopback_run(
    args: argparse.Namespace,
    knot: Any,
    domains: list[str],
    kinds: dict[str, str],
    policy_server: PolicyServerProcess | None,
    limit: int,
) -> None:
    """The scan against Knot on loopback, then the raw-dnspython baseline of its lookups."""
    from scans.dns import build_resolver

    resolver = build_resolver(knot.nameservers, timeout=5.0, retries=1)
    recording = RecordingResolver(resolver)
    fetcher = make_fetcher(recording, policy_server)
    scan_s, scan_cpu, verdicts = asyncio.run(run_scan(domains, recording, fetcher, limit))
    base_s, base_cpu, _ = asyncio.run(run_baseline(recording.lookups, knot.nameservers, limit))
    report(args, limit, kinds, verdicts, resolver.queries, recording.lookups)
    table(len(verdicts), (base_s, base_cpu, len(recording.lookups)), (scan_s, scan_cpu))


def report(
    args: argparse.Namespace,
    limit: int,
    kinds: dict[str, str],
    results: list[str],
    scan_queries: int,
    lookups: list[tuple[str, str]],
) -> None:
    verdicts = Counter(results)
    mix = Counter(kinds.values())
    print(f"domains: {len(results)}  concurrency: {limit}  policy fetch: {args.policy}")
    print("mix: " + ", ".join(f"{k}={v}" for k, v in sorted(mix.items())))
    print("verdicts: " + ", ".join(f"{k}={v}" for k, v in sorted(verdicts.items())))
    if scan_queries != len(lookups):
        print(f"note: {scan_queries - len(lookups)} retried queries in the scan")


def table(n: int, base: tuple[float, float, int], scan: tuple[float, float]) -> None:
    """Baseline queries/s is what raw dnspython reaches on the very lookups of the scan."""
    (base_s, base_cpu, queries), (scan_s, scan_cpu) = base, scan
    base_qps, scan_qps = queries / base_s, queries / scan_s
    print(f"{'run':<10}{'wall s':>9}{'cpu s':>8}{'domains/s':>11}{'queries':>9}{'queries/s':>11}")
    rows = [
        ("baseline", base_s, base_cpu, "-", base_qps),
        ("scan", scan_s, scan_cpu, n / scan_s, scan_qps),
    ]
    for name, wall, cpu, dps, qps in rows:
        dps_text = dps if isinstance(dps, str) else f"{dps:.0f}"
        print(f"{name:<10}{wall:>9.2f}{cpu:>8.2f}{dps_text:>11}{queries:>9}{qps:>11.0f}")
    print(f"scan/baseline query rate: {scan_qps / base_qps:.0%}")


if __name__ == "__main__":
    sys.exit(main())
