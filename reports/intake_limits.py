"""Abuse limits of report intake: the public address must not be free storage or a free CPU.

- ``rate_limit_wait``: POSTs per minute per report token (fixed one-minute window in the Django
  cache, i.e. Redis in production), ``TLSMON_REPORT_RATE_PER_MINUTE``; 0 switches it off.
  Real senders post a handful of reports a day per domain: the default of 120 leaves room.
- ``rejection_account``: bytes of rejected deliveries kept per organization and UTC day; beyond
  ``TLSMON_REPORT_REJECTED_BYTES_PER_DAY`` a rejected delivery is deleted instead of kept, and
  counted (``IntakeDailyUsage.refused``).
- ``submissions_purge``: retention of raw bodies (the rows and every figure stay).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis
from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from reports.models import (
    IntakeDailyUsage,
    QuarantinedPolicy,
    Report,
    ReportPolicy,
    Submission,
    SubmissionStatus,
)

WINDOW = 60  # seconds


logger = logging.getLogger(__name__)


def rate_limit_wait(token: str, *, now: float | None = None) -> int:
    """Count one POST for ``token``; 0 if allowed, else the seconds until the window ends."""
    limit = settings.TLSMON_REPORT_RATE_PER_MINUTE
    if not limit:
        return 0
    now = time.time() if now is None else now
    window = int(now // WINDOW)
    digest = hashlib.sha256(token.encode()).hexdigest()[:32]  # never the secret itself
    key = f"tlsrpt-rate:{digest}:{window}"
    try:
        cache.add(key, 0, timeout=WINDOW * 2)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=WINDOW * 2)
            count = 1
    except redis.RedisError as exc:
        # The counter lives in Redis; a report must not be lost because Redis is down: the
        # delivery goes on unlimited (and the enqueue falls back to the sweep, see views).
        logger.warning("report intake: rate-limit counter unavailable (%s); not limiting", exc)
        return 0
    if count <= limit:
        return 0
    return max(1, (window + 1) * WINDOW - int(now))


REFUSED_NOTE = (
    " (not stored: this organization's allowance for rejected deliveries today, "
    "TLSMON_REPORT_REJECTED_BYTES_PER_DAY, is used up)"
)


def rejection_account(*, submission: Submission) -> bool:
    """Charge a just-rejected submission to its organization's daily allowance. Over it, the
    submission is deleted (its raw bytes are not kept) and counted as refused: returns True.
    One conditional UPDATE decides, so concurrent rejections cannot overshoot the cap."""
    day = timezone.now().date()
    usage, _ = IntakeDailyUsage.objects.get_or_create(
        organization_id=submission.organization_id, day=day
    )
    cap = settings.TLSMON_REPORT_REJECTED_BYTES_PER_DAY
    kept = IntakeDailyUsage.objects.filter(
        pk=usage.pk, rejected_bytes__lte=cap - submission.size
    ).update(rejected_bytes=F("rejected_bytes") + submission.size)
    if kept:
        return False
    IntakeDailyUsage.objects.filter(pk=usage.pk).update(
        refused=F("refused") + 1, refused_bytes=F("refused_bytes") + submission.size
    )
    Submission.objects.filter(pk=submission.pk).delete()
    return True


@dataclass(frozen=True)
class Purged:
    rejected_or_duplicate: int
    accepted: int

    def __str__(self) -> str:
        return (
            f"purged the raw bytes of {self.rejected_or_duplicate} rejected/duplicate and "
            f"{self.accepted} accepted submission(s)"
        )


def _kept_nothing() -> Q:
    """Submissions no stored report, policy copy or quarantined policy came from."""
    return (
        ~Exists(Report.objects.filter(submission=OuterRef("pk")))
        & ~Exists(ReportPolicy.objects.filter(submission=OuterRef("pk")))
        & ~Exists(QuarantinedPolicy.objects.filter(submission=OuterRef("pk")))
    )


def submissions_purge(*, now: datetime | None = None) -> Purged:
    """Drop raw bodies past retention: rejected and duplicate deliveries after
    ``TLSMON_RETENTION_REJECTED_DAYS``, the others after ``TLSMON_RETENTION_RAW_DAYS``. Reports,
    policies, roll-ups and figures stay; pending submissions are never purged.

    Deliberately cross-tenant (a beat job over every organization's submissions)."""
    now = now or timezone.now()
    unpurged = Submission.objects.filter(purged_at__isnull=True).exclude(
        status=SubmissionStatus.PENDING
    )
    empty = {"payload": b"", "purged_at": now}
    short = unpurged.filter(
        received_at__lt=now - timedelta(settings.TLSMON_RETENTION_REJECTED_DAYS)
    )
    rejected = short.filter(
        Q(status=SubmissionStatus.REJECTED)
        | (Q(status=SubmissionStatus.PROCESSED) & _kept_nothing())
    ).update(**empty)
    cutoff = now - timedelta(days=settings.TLSMON_RETENTION_RAW_DAYS)
    accepted = unpurged.filter(received_at__lt=cutoff).update(**empty)
    return Purged(rejected_or_duplicate=rejected, accepted=accepted)
