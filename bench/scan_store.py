"""Scan benchmark, worker path: ``scans.services.scan_domains`` in chunks into PostgreSQL.

    python -m bench.scan_store [--domains 10000]

``bench.scan`` measures the checker alone. This measures what a Celery worker does with the
chunks the scheduler enqueues: for each chunk of ``TLSMON_SCAN_CHUNK_SIZE`` domain ids, one
asyncio loop of checks (at most ``TLSMON_SCAN_CONCURRENCY`` in flight) and one transaction that
stores the ``Scan`` rows, the changes and the domains' latest state. The BASELINE, in the same
run, is the same chunked checks without the database, so the ratio is the storage overhead.
Two rounds run: the first scan of every domain, then a second one (changes computed against
the first). Uses the database ``tlsmon_bench`` (dropped and re-created) and a local knotd.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from bench.ingest_db import DEFAULT_DATABASE_URL, database_recreate, django_setup
from bench.scan import build_zones, domain_name, start_knot


def _chunks(items: list, size: int) -> list[list]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def checks_only(names: list[str], chunk_size: int) -> float:
    """Wall seconds of the chunked checks alone (no database): the baseline."""
    from django.conf import settings

    from scans.checker import check
    from scans.dns import get_resolver

    async def chunk(part: list[str]) -> None:
        resolver, semaphore = get_resolver(), asyncio.Semaphore(settings.TLSMON_SCAN_CONCURRENCY)

        async def one(name: str) -> None:
            async with semaphore:
                await check(name, resolver=resolver, fetcher=None)

        await asyncio.gather(*(one(name) for name in part))

    started = time.perf_counter()
    for part in _chunks(names, chunk_size):
        asyncio.run(chunk(part))
    return time.perf_counter() - started


def scans_stored(domain_ids: list[int], chunk_size: int) -> tuple[float, int]:
    """Wall seconds of ``scan_domains`` over every chunk, and the domains it scanned."""
    from scans.services import scan_domains

    started, scanned = time.perf_counter(), 0
    for part in _chunks(domain_ids, chunk_size):
        scanned += scan_domains(domain_ids=part).scanned
    return time.perf_counter() - started, scanned


def tenant_with_domains(names: list[str]) -> list[int]:
    from accounts.models import Domain
    from accounts.services import organization_create

    organization = organization_create(name="Bench scan", slug="bench-scan")
    rows = [Domain(organization=organization, name=n, unicode_name=n) for n in names]
    Domain.objects.bulk_create(rows, batch_size=5000)
    return list(Domain.objects.order_by("id").values_list("pk", flat=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--domains", type=int, default=10_000)
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    database_recreate(url)
    zones, _ = build_zones(args.domains, mta_sts=False)
    knot = start_knot(Path(tempfile.mkdtemp(prefix="tlsmon-bench-store-")), zones)
    del zones
    os.environ["TLSMON_DNS_NAMESERVERS"] = ",".join(f"{h}:{p}" for h, p in knot.nameservers)
    try:
        django_setup(url)
        from django.conf import settings

        from scans.models import Scan, ScanChange

        names = [domain_name(i) for i in range(args.domains)]
        ids = tenant_with_domains(names)
        size = settings.TLSMON_SCAN_CHUNK_SIZE
        base = checks_only(names, size)
        first, scanned = scans_stored(ids, size)
        second, _ = scans_stored(ids, size)
        rows, changes = Scan.objects.count(), ScanChange.objects.count()
    finally:
        knot.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    limit = settings.TLSMON_SCAN_CONCURRENCY
    print(f"{args.domains:,} domains, chunks of {size}, concurrency {limit}")
    print(f"  checks only (baseline):  {base:6.1f} s  {args.domains / base:6.0f} domains/s")
    print(f"  scan_domains, 1st round: {first:6.1f} s  {scanned / first:6.0f} domains/s")
    print(f"  scan_domains, 2nd round: {second:6.1f} s  {args.domains / second:6.0f} domains/s")
    print(f"  storage overhead: {first / base - 1:+.0%} (1st), {second / base - 1:+.0%} (2nd)")
    print(f"  stored: {rows:,} scans, {changes:,} changes; peak RSS {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
