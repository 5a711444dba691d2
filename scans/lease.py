"""The running lease: a scan chunk in progress holds its domains for a short, renewed time.

The scheduler's claim (TLSMON_SCAN_LEASE_MINUTES, an hour) must cover a chunk's wait in the
queue. Once a worker starts the chunk, the lease shrinks to TLSMON_SCAN_RUNNING_LEASE seconds
and a background thread renews it while the checks run. If the whole worker dies (SIGKILL,
OOM, lost host) the renewals stop, the domains are due again within that lease, and the
every-minute ``scan_due`` round claims them: minutes, not the broker's redelivery or the hour.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

from accounts.models import Domain

log = logging.getLogger(__name__)


def _hold(domain_ids: Sequence[int], seconds: int) -> None:
    until = timezone.now() + timedelta(seconds=seconds)
    Domain.objects.all_tenants().filter(pk__in=domain_ids).update(next_scan_at=until)


def _keep_holding(domain_ids: Sequence[int], seconds: int, stop: threading.Event) -> None:
    try:
        while not stop.wait(seconds / 3):
            try:
                _hold(domain_ids, seconds)
            except DatabaseError as exc:  # the next renewal, a third of a lease on, tries again
                log.warning(
                    "renewing the running lease of %d domain(s) failed: %s", len(domain_ids), exc
                )
    finally:
        connections.close_all()  # this thread's own connection


@contextmanager
def running_lease(domain_ids: Sequence[int]) -> Iterator[None]:
    """Hold these domains while the block runs; the caller stores the real next scan time
    after the block (renewals have stopped by then, so none can overwrite it)."""
    seconds = settings.TLSMON_SCAN_RUNNING_LEASE
    _hold(domain_ids, seconds)
    stop = threading.Event()
    renewer = threading.Thread(
        target=_keep_holding, args=(list(domain_ids), seconds, stop), daemon=True
    )
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()
