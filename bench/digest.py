"""Digest benchmark: gather and render one MSP's weekly roll-up.

    python -m bench.digest [--domains 10000] [--clients 20]

Builds two MSPs in the database ``tlsmon_digest_bench`` (dropped and re-created): a small one with a
tenth of the domains and the full-size one, both with ``--clients`` clients. About 30% of the
domains have coverage gaps (every kind occurs), and every domain has seven days of session
totals with failures, so the figures and their top-N lists have real rows to rank. For each
MSP it times ``digest_gather`` + ``digest_render`` (the work a send does apart from SMTP), twice:
a first digest, and a second one that compares with the first (new and fixed). It prints
seconds, queries and the size of both parts; the query count must be the same for both sizes.
Target: 10,000 domains in 20 clients in < 5 s.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from bench.ingest_db import database_recreate, django_setup, progress

# Its own database, so it never drops another benchmark's while that one runs.
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tlsmon_digest_bench"
NOW = datetime(2026, 12, 7, 7, 5, tzinfo=UTC)  # a Monday: the default weekly slot
GAP_MIX = [  # (share of domains, stored gap kinds, verdict)
    (0.05, ["no_record", "no_mta_sts"], "fail"),
    (0.04, ["broken_record"], "fail"),
    (0.03, ["external_unauthorized"], "warn"),
    (0.08, ["no_mta_sts"], "pass"),
    (0.03, ["mta_sts_testing"], "pass"),
    (0.02, ["mta_sts_broken"], "warn"),
    (0.02, ["dns_error"], "error"),
]
RESULT_TYPES = ["certificate-expired", "starttls-not-supported", "validation-failure"]


def _gaps(rng: random.Random) -> tuple[list[str], str]:
    roll = rng.random()
    for share, kinds, verdict in GAP_MIX:
        if roll < share:
            return kinds, verdict
        roll -= share
    return [], "pass"


def build_msp(slug: str, domains: int, clients: int, seed: int):
    """An MSP, its clients and their domains (gaps and seven days of figures)."""
    from accounts.models import Domain, Membership, Organization, Role, User
    from reports.models import DomainDailyTotal, OrganizationDailyResult, OrganizationDailyTotal

    rng = random.Random(seed)
    msp = Organization.objects.create(name=f"MSP {slug}", slug=slug)
    user = User.objects.create_user(f"owner@{slug}.example", "x")
    membership = Membership.objects.create(user=user, organization=msp, role=Role.OWNER)
    days = [NOW.date() - timedelta(days=n) for n in range(1, 8)]
    per_client = domains // clients
    for c in range(clients):
        client = Organization.objects.create(
            name=f"Client {c:02d} of {slug}", slug=f"{slug}-c{c:02d}", managed_by=msp
        )
        rows = []
        for d in range(per_client):
            kinds, verdict = _gaps(rng)
            silent = verdict == "pass" and rng.random() < 0.05
            name = f"d{d:05d}.c{c:02d}.{slug}.example"
            rows.append(
                Domain(
                    organization=client,
                    name=name,
                    unicode_name=name,
                    scan_verdict=verdict,
                    scan_gaps=kinds,
                    scanned_at=NOW - timedelta(hours=3),
                    added_at=NOW - timedelta(days=60),
                    last_report_at=NOW - timedelta(days=10 if silent else 1),
                )
            )
        created = Domain.objects.bulk_create(rows, batch_size=2000)
        totals, org_ok, org_failed = [], dict.fromkeys(days, 0), dict.fromkeys(days, 0)
        for domain in created:
            for day in days:
                ok, failed = rng.randint(50, 500), rng.choice([0, 0, 0, rng.randint(1, 40)])
                totals.append(
                    DomainDailyTotal(
                        domain=domain, organization=client, day=day, successful=ok, failed=failed
                    )
                )
                org_ok[day] += ok
                org_failed[day] += failed
        DomainDailyTotal.objects.bulk_create(totals, batch_size=5000)
        OrganizationDailyTotal.objects.bulk_create(
            OrganizationDailyTotal(
                organization=client,
                day=day,
                organization_name="Google Inc.",
                successful=org_ok[day],
                failed=org_failed[day],
            )
            for day in days
        )
        OrganizationDailyResult.objects.bulk_create(
            OrganizationDailyResult(
                organization=client,
                day=day,
                result_type=rt,
                failed=org_failed[day] // len(RESULT_TYPES),
            )
            for day in days
            for rt in RESULT_TYPES
        )
    progress(f"{slug}: {domains:,} domains in {clients} clients")
    return membership


def measure(membership, label: str) -> dict:
    """Gather + render one digest; returns seconds, queries and sizes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notify.digest_data import digest_gather
    from notify.digest_schedule import DigestWish, due_period
    from notify.digests import digest_render

    due = due_period(DigestWish(membership.pk, "weekly", 0, 7), NOW)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        digest = digest_gather(membership=membership, due=due, now=NOW)
        gathered = time.perf_counter()
        rendered = digest_render(digest=digest, membership=membership)
        done = time.perf_counter()
    return {
        "label": label,
        "gather": gathered - started,
        "render": done - gathered,
        "total": done - started,
        "queries": len(queries),
        "gaps": digest.domains_with_gaps,
        "new": digest.new_count,
        "fixed": digest.fixed_count,
        "text_kb": len(rendered.text.encode()) / 1024,
        "html_kb": len(rendered.html.encode()) / 1024,
        "digest": digest,
    }


def second_week(membership, first) -> None:
    """Record the first digest as sent, then fix some gaps and open others."""
    from accounts.models import Domain
    from notify.models import DigestDelivery, DigestStatus

    DigestDelivery.objects.create(
        membership=membership,
        period="weekly",
        status=DigestStatus.SENT,
        period_start=first.start - timedelta(days=7),
        period_end=first.start,
        gap_keys=first.gap_keys,
    )
    domains = Domain.objects.filter(organization__managed_by=membership.organization)
    fixed = list(domains.exclude(scan_gaps=[]).values_list("pk", flat=True)[::10])
    domains.filter(pk__in=fixed).update(scan_gaps=[], scan_verdict="pass")
    broken = list(domains.filter(scan_gaps=[]).values_list("pk", flat=True)[::50])
    domains.filter(pk__in=broken).update(scan_gaps=["mta_sts_broken"], scan_verdict="warn")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    args = parser.parse_args()
    database_recreate(args.database_url)
    django_setup(args.database_url)
    small = build_msp("small", args.domains // 10, args.clients, seed=1)
    large = build_msp("large", args.domains, args.clients, seed=2)
    rows = []
    for membership, size in ((small, args.domains // 10), (large, args.domains)):
        first = measure(membership, f"{size:,} domains, first digest")
        second_week(membership, first["digest"])
        rows += [first, measure(membership, f"{size:,} domains, with new/fixed")]
    print(
        "| digest | gather | render | total | queries | domains with gaps | new | fixed "
        "| text | HTML |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['label']} | {r['gather']:.2f} s | {r['render']:.2f} s | {r['total']:.2f} s "
            f"| {r['queries']} | {r['gaps']:,} | {r['new']:,} | {r['fixed']:,} "
            f"| {r['text_kb']:.0f} KiB | {r['html_kb']:.0f} KiB |"
        )


if __name__ == "__main__":
    main()
