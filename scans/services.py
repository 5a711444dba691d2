"""Write paths of scanning: run checks for many domains, store the history, schedule rounds.

Checks run concurrently on one asyncio loop per call (bounded by TLSMON_SCAN_CONCURRENCY);
results are stored in one transaction per call, so a chunk of a few hundred domains costs a
handful of queries rather than several per domain.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Domain, ScanVerdict
from scans.changes import diff_results
from scans.checker import check
from scans.dns import Resolver, get_resolver
from scans.https import PolicyFetcher, get_policy_fetcher
from scans.lease import running_lease
from scans.models import ExternalAuthorization, Scan, ScanChange, ScanStatus, ScanTrigger
from scans.results import CheckResult
from scans.schedule import chunks, next_scan_at
from scans.selectors import latest_results
from scans.signals import StoredScan, scans_stored

log = logging.getLogger(__name__)

# After a scan that crashed (a bug, not a DNS error), try again this soon.
_RETRY_AFTER_CRASH = timedelta(hours=1)


@dataclass
class ScanSummary:
    scanned: int = 0
    failed: int = 0  # the scanner itself raised; see Scan.error
    verdicts: Counter = field(default_factory=Counter)
    scan_ids: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        counts = ", ".join(f"{verdict} {n}" for verdict, n in sorted(self.verdicts.items()))
        return f"scanned {self.scanned} domain(s) ({counts or 'none'}); {self.failed} failed"


@dataclass(frozen=True)
class _Outcome:
    domain_id: int
    result: CheckResult | None
    error: str
    duration_ms: int
    recording: Scan | None = None  # a demo domain's recorded scan, replayed instead of DNS


def tlsmon_host_candidates() -> tuple[str, ...]:
    """Hosts a TLSMon rua names: the mailbox domain and the HTTPS intake host (maybe an IP)."""
    hosts = [settings.TLSMON_REPORT_DOMAIN.lower()]
    https_host = (urlsplit(settings.TLSMON_BASE_URL).hostname or "").lower()
    if https_host and https_host not in hosts:
        hosts.append(https_host)
    return tuple(hosts)


def tlsmon_hosts() -> tuple[str, ...]:
    """The candidates that are DNS names: an IP address (a development base URL such as
    http://127.0.0.1:8000) cannot carry ``<domain>._report._tls.<host>`` records."""
    return tuple(host for host in tlsmon_host_candidates() if not is_ip_literal(host))


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def _check_all(
    domains: Sequence[tuple[int, str, tuple[str, ...], bool]],
    *,
    resolver: Resolver,
    fetcher: PolicyFetcher | None,
    progress: Callable[[int], None] | None,
) -> list[_Outcome]:
    semaphore = asyncio.Semaphore(settings.TLSMON_SCAN_CONCURRENCY)
    own_hosts = tlsmon_hosts()

    async def one(
        domain_id: int, name: str, suggested_rua: tuple[str, ...], tlsmon_side: bool
    ) -> _Outcome:
        async with semaphore:
            started = time.perf_counter()
            try:
                result = await check(
                    name,
                    resolver=resolver,
                    fetcher=fetcher,
                    tlsmon_hosts=own_hosts,
                    suggested_rua=suggested_rua,
                    tlsmon_side=tlsmon_side,
                )
                error = ""
            except Exception as exc:  # one broken domain must not stop the chunk
                log.exception("scanning %s failed", name)
                result, error = None, f"{type(exc).__name__}: {exc}"
            elapsed = int((time.perf_counter() - started) * 1000)
        if progress:
            progress(1)
        return _Outcome(domain_id, result, error, elapsed)

    return list(await asyncio.gather(*(one(*domain) for domain in domains)))


def _apply_result(domain: Domain, scan: Scan, outcome: _Outcome, now: datetime) -> None:
    scan.finished_at = now
    scan.duration_ms = outcome.duration_ms
    interval = domain.organization.scan_interval_hours
    if outcome.result is None and outcome.recording is None:
        scan.status, scan.error = ScanStatus.FAILED, outcome.error
        domain.next_scan_at = now + _RETRY_AFTER_CRASH
        return
    # A scan off the domain's slot (its first, an on-demand one) counts as the slot's scan:
    # the next comes at least one interval later, not when the slot just ahead comes up.
    off_slot = domain.scanned_at is None or scan.trigger != ScanTrigger.SCHEDULE
    not_before = now + timedelta(hours=interval) if off_slot else None
    scan.status = ScanStatus.DONE
    if outcome.recording is not None:
        _copy_recording(scan, outcome.recording)
    else:
        result = outcome.result
        scan.verdict, scan.score = str(result.verdict), result.score
        scan.mta_sts_status = str(result.mta_sts_status or "")
        scan.gaps = [str(gap) for gap in result.gaps]
        scan.result = result.as_dict()
    scan.findings = scan.result["findings"]
    domain.scan_verdict, domain.scan_score = scan.verdict, scan.score
    domain.scan_mta_sts = scan.mta_sts_status
    domain.scan_gaps, domain.scanned_at = scan.gaps, now
    domain.next_scan_at = next_scan_at(
        domain_id=domain.pk, interval_hours=interval, after=now, not_before=not_before
    )


def _copy_recording(scan: Scan, recording: Scan) -> None:
    scan.verdict, scan.score = recording.verdict, recording.score
    scan.mta_sts_status, scan.gaps = recording.mta_sts_status, list(recording.gaps)
    scan.result, scan.replay_of = recording.result, recording


def _replays(domains: Sequence[Domain]) -> list[_Outcome]:
    """Demo domains answer with their latest demo recording instead of DNS: their names do
    not exist, and the demo must keep showing what it was seeded to show. One without a
    recording fails with the command that records one."""
    recordings: dict[int, Scan] = {}
    rows = Scan.objects.filter(
        domain__in=domains, trigger=ScanTrigger.DEMO, status=ScanStatus.DONE
    ).order_by("domain_id", "-finished_at", "-id")
    for row in rows:
        recordings.setdefault(row.domain_id, row)
    missing = "no demo recording to replay: run manage.py seed_demo_activity"
    return [
        _Outcome(d.pk, None, "" if d.pk in recordings else missing, 0, recordings.get(d.pk))
        for d in domains
    ]


@transaction.atomic
def _store(
    domains: dict[int, Domain],
    outcomes: list[_Outcome],
    *,
    trigger: str,
    queued: dict[int, int],
) -> list[Scan]:
    now = timezone.now()
    previous = latest_results(domain_ids=domains)
    existing = Scan.objects.in_bulk(list(queued.values()))
    scans, changes = [], []
    for outcome in outcomes:
        domain = domains[outcome.domain_id]
        scan = existing.get(queued.get(domain.pk, 0)) or Scan(domain=domain, trigger=trigger)
        _apply_result(domain, scan, outcome, now)
        scans.append(scan)
    queued_rows = [scan for scan in scans if scan.pk is not None]
    Scan.objects.bulk_create([scan for scan in scans if scan.pk is None])
    fields = ["status", "finished_at", "verdict", "mta_sts_status", "score", "gaps", "findings"]
    fields += ["result", "replay_of"]
    Scan.objects.bulk_update(queued_rows, [*fields, "duration_ms", "error"])
    stored = []
    for scan in scans:
        if scan.status == ScanStatus.DONE:
            found = diff_results(previous.get(scan.domain_id), scan.result)
            changes += [ScanChange(domain_id=scan.domain_id, scan=scan, **vars(c)) for c in found]
            organization_id = domains[scan.domain_id].organization_id
            before = previous.get(scan.domain_id)
            stored.append(
                StoredScan(scan.pk, scan.domain_id, organization_id, scan.result, before, found)
            )
    ScanChange.objects.bulk_create(changes)
    _save_domain_states(list(domains.values()))
    _save_external_authorizations(scans, now)
    transaction.on_commit(lambda: _announce(stored))
    return scans


def _announce(stored: list[StoredScan]) -> None:
    """Tell the apps above (alerts) what this chunk stored, with the previous results and the
    changes already in hand (no second read); their failure is logged and never undoes or
    fails the scan."""
    for receiver, outcome in scans_stored.send_robust(sender=Scan, stored=stored):
        if isinstance(outcome, Exception):
            log.error("%s failed after a scan chunk: %r", receiver, outcome, exc_info=outcome)


def _save_external_authorizations(scans: list[Scan], now: datetime) -> None:
    """Replace each domain's external-destination rows with what this scan saw. A scan that
    could not read the record (verdict ``error``) or crashed keeps the last known rows."""
    readable = [s for s in scans if s.status == ScanStatus.DONE and s.verdict != ScanVerdict.ERROR]
    if not readable:
        return
    ExternalAuthorization.objects.filter(domain_id__in=[s.domain_id for s in readable]).delete()
    ExternalAuthorization.objects.bulk_create(
        ExternalAuthorization(
            domain_id=scan.domain_id,
            scan=scan,
            uri=row["uri"][:500],
            rua_host=row["rua_host"][:253],
            record_name=row["record_name"][:600],
            status=row["status"],
            is_tlsmon=row.get("is_tlsmon", False),
            checked_at=now,
        )
        for scan in readable
        for row in {r["uri"]: r for r in scan.result.get("external_authorizations", [])}.values()
    )


_STATE_FIELDS = [
    "scan_verdict",
    "scan_mta_sts",
    "scan_score",
    "scan_gaps",
    "scanned_at",
    "next_scan_at",
]


def _save_domain_states(domains: list[Domain]) -> None:
    """Write the scan columns of many domains in one statement.

    Django's ``bulk_update`` builds a CASE expression per field and row, which cost more than
    the scans themselves for a chunk of 250; PostgreSQL takes the values as arrays instead.
    """
    if connection.vendor != "postgresql":
        Domain.objects.bulk_update(domains, _STATE_FIELDS)
        return
    table = connection.ops.quote_name(Domain._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS d SET scan_verdict = v.verdict, scan_mta_sts = v.mta_sts, "
            "scan_score = v.score, scan_gaps = v.gaps::jsonb, scanned_at = v.scanned_at, "
            "next_scan_at = v.next_at FROM unnest(%s::bigint[], %s::text[], %s::text[], "
            "%s::integer[], %s::text[], %s::timestamptz[], %s::timestamptz[]) "
            "AS v(id, verdict, mta_sts, score, gaps, scanned_at, next_at) WHERE d.id = v.id",
            [
                [d.pk for d in domains],
                [d.scan_verdict for d in domains],
                [d.scan_mta_sts for d in domains],
                [d.scan_score for d in domains],
                [json.dumps(d.scan_gaps) for d in domains],
                [d.scanned_at for d in domains],
                [d.next_scan_at for d in domains],
            ],
        )


def scan_domains(
    *,
    domain_ids: Sequence[int],
    trigger: str = ScanTrigger.SCHEDULE,
    queued_scans: dict[int, int] | None = None,
    resolver: Resolver | None = None,
    fetcher: PolicyFetcher | None = None,
    progress: Callable[[int], None] | None = None,
) -> ScanSummary:
    """Check these domains now and store one Scan each (plus changes and the domain's state).

    Idempotent enough for Celery redelivery: a chunk scanned twice just gets two history rows.
    ``queued_scans`` maps domain id -> an existing queued Scan id to fill in (on-demand scans).
    Domains deleted or paused since they were queued are skipped. Demo domains
    (``Domain.is_demo``) replay their demo recording instead of asking DNS (``_replays``).
    """
    queued = {int(k): v for k, v in (queued_scans or {}).items()}
    domains = Domain.objects.all_tenants().select_related("organization").in_bulk(domain_ids)
    domains = {pk: d for pk, d in domains.items() if d.is_active or pk in queued}
    if not domains:
        return ScanSummary()
    resolver = resolver or get_resolver()
    fetcher = fetcher if fetcher is not None else get_policy_fetcher(resolver)
    scheduled = trigger == ScanTrigger.SCHEDULE  # on-demand scans hold no claim to shorten
    live = [d for d in domains.values() if not d.is_demo]
    with running_lease(list(domains)) if scheduled else nullcontext():
        outcomes = _replays([d for d in domains.values() if d.is_demo])
        if progress and outcomes:
            progress(len(outcomes))
        if live:
            outcomes += asyncio.run(
                _check_all(
                    # Fixes for a domain without a usable rua suggest its tenant's addresses.
                    # TLSMon's side of the authorization is for onboarding: first and
                    # on-demand scans look it up; scheduled rescans (the bulk) do not.
                    [
                        (
                            d.pk,
                            d.name,
                            d.organization.report_destinations,
                            not scheduled or d.scanned_at is None,
                        )
                        for d in live
                    ],
                    resolver=resolver,
                    fetcher=fetcher,
                    progress=progress,
                )
            )
    scans = _store(domains, outcomes, trigger=trigger, queued=queued)
    summary = ScanSummary(scan_ids=[scan.pk for scan in scans])
    for scan in scans:
        summary.scanned += scan.status == ScanStatus.DONE
        summary.failed += scan.status == ScanStatus.FAILED
        if scan.verdict:
            summary.verdicts[scan.verdict] += 1
    return summary


def scan_results_store(
    *, results: dict[int, CheckResult], trigger: str = ScanTrigger.SCHEDULE
) -> list[Scan]:
    """Store checks that were made elsewhere (demo data, imports) exactly like a real scan."""
    domains = Domain.objects.all_tenants().select_related("organization").in_bulk(list(results))
    outcomes = [_Outcome(pk, result, "", 0) for pk, result in results.items() if pk in domains]
    return _store(domains, outcomes, trigger=trigger, queued={})


def scans_schedule_due(*, now: datetime | None = None) -> int:
    """Claim the domains that are due and enqueue them in chunks; returns how many.

    The claim moves ``next_scan_at`` one lease ahead under ``SELECT ... FOR UPDATE SKIP
    LOCKED``, so two beat runs never enqueue a domain twice. If a worker dies mid-chunk, the
    broker redelivers the task (acks_late); sooner than that, the chunk's running lease
    (``scans.lease``) runs out and the next round claims the domains again; a message lost
    before any worker started it waits for this claim lease. Nothing is dropped.
    """
    from scans.tasks import scan_domains as scan_domains_task

    now = now or timezone.now()
    lease_until = now + timedelta(minutes=settings.TLSMON_SCAN_LEASE_MINUTES)
    due = Q(next_scan_at__isnull=True) | Q(next_scan_at__lte=now)
    with transaction.atomic():
        ids = list(
            Domain.objects.all_tenants()
            .filter(due, is_active=True)
            .order_by("next_scan_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[: settings.TLSMON_SCAN_ROUND_MAX]
        )
        for part in chunks(ids, 10_000):  # stay far below PostgreSQL's 65,535 parameters
            Domain.objects.all_tenants().filter(pk__in=part).update(next_scan_at=lease_until)
        for chunk in chunks(ids, settings.TLSMON_SCAN_CHUNK_SIZE):
            transaction.on_commit(
                lambda chunk=chunk: scan_domains_task.delay(chunk, ScanTrigger.SCHEDULE)
            )
    return len(ids)
