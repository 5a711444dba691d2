"""What alert evaluation adds to a scan round and to bulk ingestion (target: at most +10 %).

    python -m bench.alerts [--domains 10000] [--reports 10000] [--parts scan,ingest]

scan: 10,000 generated domains on a local knotd (``bench.scan``'s zone mix), scanned by
``scans.services.scan_domains`` in chunks of ``TLSMON_SCAN_CHUNK_SIZE`` as a worker does, in
three rounds: the first scan; a second after 10 % of the domains lost their TLS-RPT record
(alerts open); a third after it came back (alerts resolve). The evaluation runs where it runs in
production, from the ``scans_stored`` signal after each chunk's commit; a timing wrapper around
the receiver measures its share of each round, so "without" is the same round minus it.

ingest: ``bench.ingest`` part (b)'s reports through ``reports.bulk.reports_ingest_many``
(batches of 1,000), twice, into two tenants owning the same domains: first with the alert
receiver disconnected, then connected (and timed), so the same work is measured without and
with the evaluation in one run. A third pass without it again shows the drift of the machine
and the growing tables. Uses the database ``tlsmon_bench`` (dropped and re-created).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.ingest_db import DEFAULT_DATABASE_URL, database_recreate, django_setup, progress


class TimedReceiver:
    """Wraps an alert receiver, adding up the wall seconds it takes."""

    def __init__(self, receiver):
        self.receiver, self.seconds, self.calls = receiver, 0.0, 0

    def __call__(self, sender, **kwargs) -> None:
        started = time.perf_counter()
        self.receiver(sender, **kwargs)
        self.seconds += time.perf_counter() - started
        self.calls += 1


def _swap(signal, uid: str, receiver) -> None:
    signal.disconnect(dispatch_uid=uid)
    if receiver is not None:
        signal.connect(receiver, dispatch_uid=uid, weak=False)


def bench_scan(domains: int) -> list[tuple[str, float, float, int, int]]:
    from bench.scan import build_zones, domain_name, start_knot

    zones, kinds = build_zones(domains, mta_sts=False)
    knot = start_knot(Path(tempfile.mkdtemp(prefix="tlsmon-bench-alerts-")), zones)
    os.environ["TLSMON_DNS_NAMESERVERS"] = ",".join(f"{h}:{p}" for h, p in knot.nameservers)
    try:
        from django.conf import settings

        from accounts.models import Domain
        from accounts.services import organization_create
        from notify.hooks import on_scans_stored
        from notify.models import Alert
        from scans.services import scan_domains
        from scans.signals import scans_stored

        settings.TLSMON_DNS_NAMESERVERS = list(knot.nameservers)
        organization = organization_create(name="Bench alerts", slug="bench-alerts")
        names = [domain_name(i) for i in range(domains)]
        Domain.objects.bulk_create(
            [Domain(organization=organization, name=n, unicode_name=n) for n in names],
            batch_size=5000,
        )
        ids = list(Domain.objects.order_by("id").values_list("pk", flat=True))
        losing = {n: [r for r in zones[n] if "TLSRPT" not in r] for n in names[::10]}
        rounds, size = [], settings.TLSMON_SCAN_CHUNK_SIZE
        for label, change in (
            ("first scan", None),
            ("10% lose the record", losing),
            ("record back", {n: zones[n] for n in losing}),
        ):
            if change:
                knot.set_zones(change)
            timed = TimedReceiver(on_scans_stored)
            _swap(scans_stored, "notify.alerts.scans", timed)
            started = time.perf_counter()
            for start in range(0, len(ids), size):
                scan_domains(domain_ids=ids[start : start + size])
            wall = time.perf_counter() - started
            open_alerts = Alert.objects.filter(resolved_at=None).count()
            rounds.append((label, wall, timed.seconds, timed.calls, open_alerts))
            progress(f"  scan {label}: {wall:.1f} s, evaluation {timed.seconds:.2f} s")
        del kinds
    finally:
        knot.stop()
    return rounds


def bench_ingest(count: int) -> list[tuple[str, float, float, int]]:
    from accounts.services import domains_bulk_create, organization_create
    from bench.report_generator import iter_reports, policy_domains
    from notify.hooks import on_reports_stored
    from notify.models import Alert
    from reports.bulk import reports_ingest_many
    from reports.signals import reports_stored

    names = sorted(policy_domains(count))
    passes = []
    for n, (label, with_alerts) in enumerate(
        (("without alerts", False), ("with alerts", True), ("without alerts again", False))
    ):
        organization = organization_create(name=f"Bench ingest {n}", slug=f"bench-ingest-{n}")
        domains_bulk_create(organization=organization, names=names)
        bodies = list(iter_reports(count, id_suffix=f"-{n}"))
        timed = TimedReceiver(on_reports_stored)
        _swap(reports_stored, "notify.alerts.reports", timed if with_alerts else None)
        started = time.perf_counter()
        summary = reports_ingest_many(
            organization=organization,
            items=((body, f"bench/{i}.json") for i, body in enumerate(bodies)),
        )
        wall = time.perf_counter() - started
        alerts = Alert.objects.filter(organization=organization).count()
        passes.append((label, wall, timed.seconds, alerts))
        progress(f"  ingest {label}: {summary} in {wall:.1f} s (evaluation {timed.seconds:.2f} s)")
    return passes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--domains", type=int, default=10_000)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--parts", default="scan,ingest")
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    database_recreate(url)
    django_setup(url)
    parts = set(args.parts.split(","))
    if "scan" in parts:
        print(f"scan round, {args.domains:,} domains (alert evaluation from scans_stored):")
        for label, wall, spent, calls, open_alerts in bench_scan(args.domains):
            overhead = spent / (wall - spent)
            verdict = "PASS" if overhead <= 0.10 else "MISS"
            print(
                f"  {label:<22} with {wall:6.1f} s, without {wall - spent:6.1f} s, evaluation "
                f"{spent:5.2f} s in {calls} chunks: {overhead:+.1%} {verdict}; "
                f"{open_alerts:,} alerts open"
            )
    if "ingest" in parts:
        print(f"bulk ingest, {args.reports:,} reports (bench.ingest part (b)):")
        passes = bench_ingest(args.reports)
        base = passes[0][1]
        for label, wall, spent, alerts in passes:
            print(
                f"  {label:<22} {wall:6.1f} s ({args.reports / wall:6,.0f} reports/s), "
                f"{wall / base - 1:+.1%} vs the first pass; evaluation {spent:.2f} s "
                f"({spent / max(wall - spent, 1e-9):+.1%} of the rest); {alerts:,} alerts"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
