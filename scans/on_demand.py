"""Scans a user asks for (web "Scan now", onboarding, "check again", the API): the cooldown,
queueing after commit, and what happens when the task queue cannot be reached.

A domain scanned within ``TLSMON_SCAN_COOLDOWN_SECONDS`` (or queued within the lease) gets that
scan back instead of a new one; with the broker down the scan is marked failed "not queued" so
the cooldown never hands out a scan that will never run.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import KombuError

from accounts.models import Domain
from scans.models import Scan, ScanStatus, ScanTrigger
from scans.schedule import chunks

log = logging.getLogger(__name__)


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
        for chunk in chunks(new, settings.TLSMON_SCAN_CHUNK_SIZE):
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
