"""Sending digests: find the due ones, claim each (one row per recipient and period, so two
senders never send the same period twice), render, send over SMTP, record the outcome.

The claim is committed before the message is built; only a send the SMTP server accepted is
recorded as ``sent``. A failed send stays ``failed`` with a ``next_attempt_at`` (back-off in
``notify.digest_schedule``), and a later run claims it again with a conditional UPDATE.
"""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string

from accounts.models import Membership
from notify.digest_content import Digest, digest_subject
from notify.digest_data import digest_gather, recipient_scope, scope_has_domains
from notify.digest_schedule import (
    OFF,
    PERIOD_LENGTH,
    WEEKLY,
    DigestWish,
    DuePeriod,
    due_periods,
    latest_slot,
    retry_at,
)
from notify.models import DigestDelivery, DigestStatus
from notify.preferences import digest_wish, unsubscribe_url

logger = logging.getLogger(__name__)

# A claim whose sender died (no outcome recorded) is taken over after this; far above the
# time one render and SMTP transaction take, so a slow sender is never overtaken.
CLAIM_LEASE = timedelta(minutes=30)


@dataclass
class SendSummary:
    sent: int = 0
    failed: int = 0
    recipients: set[str] = field(default_factory=set)

    def __str__(self) -> str:
        text = f"sent {self.sent} digest(s) to {len(self.recipients)} recipient(s)"
        return text + (f", {self.failed} failed (retried later)" if self.failed else "")


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    text: str
    html: str
    unsubscribe_url: str


def digest_render(*, digest: Digest, membership: Membership) -> RenderedDigest:
    """Subject, plain-text and HTML parts (inline CSS, no images: readable in any client)."""
    organization = membership.organization
    subject = digest_subject(digest, organization.name)
    context = {
        "digest": digest,
        "organization": organization,
        "subject": subject,
        "unsubscribe_url": unsubscribe_url(membership.pk),
    }
    text = render_to_string("notify/digest.txt", context)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    html = render_to_string("notify/digest.html", context)
    return RenderedDigest(subject, text, html, context["unsubscribe_url"])


def _message(rendered: RenderedDigest, to: str) -> EmailMultiAlternatives:
    host = urlsplit(settings.TLSMON_BASE_URL).hostname or "tlsmon.localhost"
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "Message-ID": make_msgid("digest", domain=host),
            # RFC 8058: a mail client may POST "List-Unsubscribe=One-Click" to the URL.
            "List-Unsubscribe": f"<{rendered.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(rendered.html, "text/html")
    return message


def _memberships():
    """Every tenant's memberships with a user who can receive mail (a background sweep)."""
    return Membership.objects.filter(user__is_active=True).exclude(user__email="")


def _claim(due: DuePeriod, now: datetime) -> DigestDelivery | None:
    """Insert the delivery row; None when another sender already holds this period."""
    try:
        with transaction.atomic():
            return DigestDelivery.objects.create(
                membership_id=due.membership_id,
                period=due.period,
                period_start=due.start,
                period_end=due.end,
                claimed_at=now,
            )
    except IntegrityError:
        return None


def _reclaim(delivery: DigestDelivery, now: datetime) -> bool:
    """Take a failed (or abandoned) delivery for another try; False if someone else did."""
    taken = DigestDelivery.objects.filter(
        pk=delivery.pk, status=delivery.status, claimed_at=delivery.claimed_at
    ).update(status=DigestStatus.CLAIMED, claimed_at=now)
    delivery.status, delivery.claimed_at = DigestStatus.CLAIMED, now
    return taken == 1


def _retries(now: datetime, memberships) -> list[DigestDelivery]:
    failed = Q(status=DigestStatus.FAILED, next_attempt_at__lte=now)
    abandoned = Q(status=DigestStatus.CLAIMED, claimed_at__lt=now - CLAIM_LEASE)
    return list(
        DigestDelivery.objects.filter(failed | abandoned, membership__in=memberships).order_by("id")
    )


def _failed(delivery: DigestDelivery, to: str, now: datetime, exc: Exception) -> None:
    attempts = delivery.attempts + 1
    DigestDelivery.objects.filter(pk=delivery.pk).update(
        status=DigestStatus.FAILED,
        attempts=attempts,
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
        next_attempt_at=retry_at(attempts, now),
        recipient=to,
    )


def _send(delivery: DigestDelivery, membership: Membership, now: datetime) -> bool:
    """Build and send one claimed digest; record the outcome. True when sent.

    Any failure is recorded on the row and retried with back-off: an SMTP error, and also an
    error building this one digest (logged), which must not stop the others of the run.
    """
    due = DuePeriod(membership.pk, delivery.period, delivery.period_start, delivery.period_end)
    to = membership.user.email
    try:
        digest = digest_gather(membership=membership, due=due, now=now)
        rendered = digest_render(digest=digest, membership=membership)
        message = _message(rendered, to)
    except Exception as exc:
        logger.exception(
            "digest %s for membership %s could not be built", delivery.pk, membership.pk
        )
        _failed(delivery, to, now, exc)
        return False
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        _failed(delivery, to, now, exc)
        return False
    DigestDelivery.objects.filter(pk=delivery.pk).update(
        status=DigestStatus.SENT,
        attempts=F("attempts") + 1,
        sent_at=now,
        next_attempt_at=None,
        last_error="",
        message_id=message.extra_headers["Message-ID"],
        recipient=to,
        subject=rendered.subject[:255],
        gap_keys=digest.gap_keys,
    )
    return True


def _work(by_id: dict[int, Membership], memberships, now: datetime) -> list[tuple]:
    """(new period or failed delivery, membership) pairs to send now: periods nobody claimed
    yet, then retries (not for recipients who have since switched their digest off)."""
    due = due_periods((digest_wish(m) for m in by_id.values()), now)
    claimed = set(
        DigestDelivery.objects.filter(
            membership_id__in=[d.membership_id for d in due],
            period_start__in={d.start for d in due},
        ).values_list("membership_id", "period", "period_start")
    )
    work: list[tuple[DigestDelivery | DuePeriod, Membership]] = [
        (d, by_id[d.membership_id])
        for d in due
        if (d.membership_id, d.period, d.start) not in claimed
    ]
    return work + [
        (r, by_id[r.membership_id])
        for r in _retries(now, memberships)
        if r.membership_id in by_id and digest_wish(by_id[r.membership_id]).frequency != OFF
    ]


def digests_send_due(
    *, now: datetime, organization_slug: str | None = None, dry_run: bool = False
) -> SendSummary:
    """Send every digest due at ``now`` (and every retry that is due); ``dry_run`` counts what
    would be sent without claiming or sending anything."""
    memberships = _memberships()
    if organization_slug:
        memberships = memberships.filter(organization__slug=organization_slug)
    by_id = {
        m.pk: m
        for m in memberships.select_related(
            "user", "organization", "notification_preference"
        ).order_by("pk")
    }
    work = _work(by_id, memberships, now)
    summary = SendSummary()
    for item, membership in work:
        if not scope_has_domains(recipient_scope(membership)):
            continue  # nothing is sent for an organization without domains
        if dry_run:
            summary.sent += 1
            summary.recipients.add(membership.user.email)
            continue
        delivery = _claim(item, now) if isinstance(item, DuePeriod) else item
        if delivery is None or (item is delivery and not _reclaim(delivery, now)):
            continue
        if _send(delivery, membership, now):
            summary.sent += 1
            summary.recipients.add(membership.user.email)
        else:
            summary.failed += 1
    return summary


def digest_preview(*, membership: Membership, now: datetime) -> RenderedDigest | None:
    """The digest ``membership`` would get for its latest period (weekly when it gets none),
    rendered and not sent; None when its organization has no domains."""
    if not scope_has_domains(recipient_scope(membership)):
        return None
    wish = digest_wish(membership)
    if wish.frequency == OFF:
        wish = DigestWish(membership.pk, WEEKLY, wish.weekday, wish.hour)
    end = latest_slot(wish, now)
    due = DuePeriod(membership.pk, wish.frequency, end - PERIOD_LENGTH[wish.frequency], end)
    return digest_render(
        digest=digest_gather(membership=membership, due=due, now=now), membership=membership
    )
