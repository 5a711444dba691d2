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
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import KombuError

from accounts.models import Domain, ScanVerdict
from scans.changes import diff_results
from scans.checker import check
from scans.dns import Resolver, get_resolver
from scans.https import PolicyFetcher, get_policy_fetcher
from scans.lease import running_lease
from scans.models import ExternalAuthorization, Scan, ScanChange, ScanStatus, ScanTrigger
from scans.results import CheckResult
from scans.schedule import next_scan_at
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
    domains: Sequence[tuple[int, str, tuple[str, ...]]],
    *,
    resolver: Resolver,
    fetcher: PolicyFetcher | None,
    progress: Callable[[int], None] | None,
) -> list[_Outcome]:
    semaphore = asyncio.Semaphore(settings.TLSMON_SCAN_CONCURRENCY)
    own_hosts = tlsmon_hosts()

    async def one(domain_id: int, name: str, suggested_rua: tuple[str, ...]) -> _Outcome:
        async with semaphore:
            started = time.perf_counter()
            try:
                result = await check(
                    name,
                    resolver=resolver,
                    fetcher=fetcher,
                    tlsmon_hosts=own_hosts,
                    suggested_rua=suggested_rua,
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
                    [(d.pk, d.name, d.organization.report_destinations) for d in live],
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


def scan_request(
    *, domain: Domain, trigger: str = ScanTrigger.API, now: datetime | None = None
) -> Scan:
    """Queue an on-demand scan; the returned row is polled until its status leaves "queued".

    A domain with a scan still queued (within the scan lease), or one that finished within
    ``TLSMON_SCAN_COOLDOWN_SECONDS``, gets that scan back instead of a new one: repeated
    clicks or API calls cannot queue a scan per request. The domain row is locked while
    deciding, so two concurrent requests cannot both create one.

    Outside a transaction with in-process tasks (the quickstart) the scan has already run when
    this returns, so the status is re-read for the caller. Raises ``ScanNotQueued`` when the
    task queue cannot be reached (the row stays, marked failed, and blocks nothing).
    """
    now = now or timezone.now()
    with transaction.atomic():
        Domain.objects.all_tenants().select_for_update().filter(pk=domain.pk).first()
        scan = _recent_scan(domain, now)
        if scan is not None:
            return scan
        scan = Scan.objects.create(domain=domain, trigger=trigger, requested_at=now)
        transaction.on_commit(lambda: _send_scan(scan, trigger))
    scan.refresh_from_db(fields=["status", "error"])
    if scan.status == ScanStatus.FAILED and scan.error == SCAN_NOT_QUEUED:
        raise ScanNotQueued(scan)
    return scan


SCAN_NOT_QUEUED = "not queued: the task queue (Redis) could not be reached; request it again"


class ScanNotQueued(Exception):
    """The on-demand scan could not be handed to the task queue (broker unreachable). Its row
    is marked failed with ``SCAN_NOT_QUEUED`` and no finish time, so the cooldown never hands
    it out as a scan in progress; asking again (``retry_after`` seconds later) queues anew."""

    retry_after = 30

    def __init__(self, scan: Scan):
        super().__init__(SCAN_NOT_QUEUED)
        self.scan = scan


def _send_scan(scan: Scan, trigger: str) -> None:
    _send_chunk({str(scan.domain_id): scan.pk}, trigger)


def _send_chunk(queued: dict[str, int], trigger: str) -> None:
    """Hand on-demand scans (domain id -> scan id) to the workers; with the broker unreachable
    they are marked failed ``SCAN_NOT_QUEUED`` instead of waiting as queued for an hour."""
    from scans.tasks import scan_domains as scan_domains_task

    try:
        scan_domains_task.delay([int(pk) for pk in queued], trigger, queued)
    except (KombuError, OSError) as exc:
        if scan_domains_task.app.conf.task_always_eager:
            raise  # the scans ran in this process and failed: not a queueing problem
        log.warning("scans %s not queued: broker unreachable (%s)", sorted(queued.values()), exc)
        Scan.objects.filter(pk__in=queued.values(), status=ScanStatus.QUEUED).update(
            status=ScanStatus.FAILED, error=SCAN_NOT_QUEUED
        )


def scans_request(
    *, domains: Sequence[Domain], trigger: str = ScanTrigger.WEB, now: datetime | None = None
) -> dict[int, Scan]:
    """``scan_request`` for many domains at once (onboarding, "check again"): domain id ->
    its scan, queued in chunks of ``TLSMON_SCAN_CHUNK_SIZE`` in a few queries.

    The same cooldown applies per domain (a domain scanned or queued just now gets that scan
    back). Queued domains are claimed like a scheduled round claims them (``next_scan_at``
    one lease ahead when it was sooner), so a just-added domain is not scanned a second time
    by the next beat round while its first scan waits for a worker.
    """
    now = now or timezone.now()
    ids = [domain.pk for domain in domains]
    lease_until = now + timedelta(minutes=settings.TLSMON_SCAN_LEASE_MINUTES)
    with transaction.atomic():
        locked = Domain.objects.all_tenants().select_for_update().filter(pk__in=ids)
        list(locked.order_by("pk").values_list("pk", flat=True))  # in one order: no deadlock
        found = _recent_scans(ids, now)
        new = [
            Scan(domain_id=pk, trigger=trigger, requested_at=now) for pk in ids if pk not in found
        ]
        Scan.objects.bulk_create(new)
        claim = Q(next_scan_at__isnull=True) | Q(next_scan_at__lt=lease_until)
        queued_ids = [scan.domain_id for scan in new]
        Domain.objects.all_tenants().filter(claim, pk__in=queued_ids).update(
            next_scan_at=lease_until
        )
        for chunk in _chunks(new, settings.TLSMON_SCAN_CHUNK_SIZE):
            queued = {str(scan.domain_id): scan.pk for scan in chunk}
            transaction.on_commit(lambda queued=queued: _send_chunk(queued, trigger))
    fresh = Scan.objects.in_bulk([scan.pk for scan in new])  # in-process tasks ran already
    return {**found, **{scan.domain_id: fresh.get(scan.pk, scan) for scan in new}}


def _recent_scans(domain_ids: list[int], now: datetime) -> dict[int, Scan]:
    """``_recent_scan`` for many domains in one query: domain id -> its recent scan."""
    lease = timedelta(minutes=settings.TLSMON_SCAN_LEASE_MINUTES)
    cooldown = timedelta(seconds=settings.TLSMON_SCAN_COOLDOWN_SECONDS)
    queued = Q(status=ScanStatus.QUEUED, requested_at__gte=now - lease)
    recent: dict[int, Scan] = {}
    rows = (
        Scan.objects.filter(domain_id__in=domain_ids)
        .filter(queued | Q(finished_at__gte=now - cooldown))
        .order_by("-requested_at", "-id")
    )
    for scan in rows:
        recent.setdefault(scan.domain_id, scan)
    return recent


def _recent_scan(domain: Domain, now: datetime) -> Scan | None:
    """The queued or just-finished scan that makes a new request unnecessary, if any."""
    lease = timedelta(minutes=settings.TLSMON_SCAN_LEASE_MINUTES)
    cooldown = timedelta(seconds=settings.TLSMON_SCAN_COOLDOWN_SECONDS)
    queued = Q(status=ScanStatus.QUEUED, requested_at__gte=now - lease)
    return (
        Scan.objects.filter(domain=domain)
        .filter(queued | Q(finished_at__gte=now - cooldown))
        .order_by("-requested_at", "-id")
        .first()
    )


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
        for part in _chunks(ids, 10_000):  # stay far below PostgreSQL's 65,535 parameters
            Domain.objects.all_tenants().filter(pk__in=part).update(next_scan_at=lease_until)
        for chunk in _chunks(ids, settings.TLSMON_SCAN_CHUNK_SIZE):
            transaction.on_commit(
                lambda chunk=chunk: scan_domains_task.delay(chunk, ScanTrigger.SCHEDULE)
            )
    return len(ids)
