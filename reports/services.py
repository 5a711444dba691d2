"""Write paths for report intake: process received bytes, quarantine, sweep.

Every channel (HTTPS, email, files) goes the same way: ``reports.intake.submission_receive``
stores the raw bytes first, in their own transaction, so nothing is lost; ``submission_process``
unpacks them (``reports.intake.unpack``) and stores the reports once (``reports.storage``).
Processing is idempotent, so the sweeper and retries can run it again at any time.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from kombu.exceptions import KombuError

from accounts.models import Organization
from reports.batch_plan import quarantined_key
from reports.dkim import verify_report_dkim
from reports.intake import (
    mail_organization,
    rejections_add,
    submission_outcome,
    submission_receive,
    unpack,
)
from reports.intake_limits import REFUSED_NOTE, rejection_account
from reports.models import Channel, QuarantinedPolicy, Submission, SubmissionStatus
from reports.quarantine_json import policy_from_json, report_from_json
from reports.storage import StoreItem, reports_store
from reports.summary import IngestSummary, Rejection

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10  # the sweeper gives up on a submission after this many processing attempts


def submission_process(*, submission: Submission) -> IngestSummary:
    """Parse a stored submission and store its reports; safe to run any number of times.

    Report errors are recorded on the submission (status ``rejected``/``partial`` and the
    error with its JSON path) and returned as rejections; the raw payload is never touched.
    Database errors propagate, leaving the submission ``pending`` for a retry or the sweeper.
    """
    if submission.purged_at is not None:
        return IngestSummary().reject(submission.source, "the raw bytes were purged (retention)")
    was_rejected = submission.status == SubmissionStatus.REJECTED
    Submission.objects.filter(pk=submission.pk).update(attempts=F("attempts") + 1)
    raw = submission.raw_payload()
    refused = _dkim_refusal(submission, raw)
    if refused:
        return _over_allowance(submission, _reject(submission, refused), was_rejected)
    unpacked = unpack(channel=submission.channel, source=submission.source, raw=raw)
    items = [
        StoreItem(p.report, submission, p.source, header_domain=unpacked.header_domain)
        for p in unpacked.parts
        if p.report is not None
    ]
    with transaction.atomic():
        summary = reports_store(organization=submission.organization, items=items)
        status, error = submission_outcome(unpacked.parts)
        Submission.objects.filter(pk=submission.pk).update(
            status=status, error=error, processed_at=timezone.now()
        )
    submission.status, submission.error = status, error
    rejections_add(summary, unpacked.parts)
    return _over_allowance(submission, summary, was_rejected)


def _over_allowance(
    submission: Submission, summary: IngestSummary, was_rejected: bool
) -> IngestSummary:
    """A newly rejected submission counts against the daily allowance; over it, it is not kept
    and the rejections say so (``reports.intake_limits.rejection_account``)."""
    if submission.status != SubmissionStatus.REJECTED or was_rejected:
        return summary
    if rejection_account(submission=submission):
        summary.rejected = [
            Rejection(r.source, r.error + REFUSED_NOTE, r.too_large) for r in summary.rejected
        ]
    return summary


def _dkim_refusal(submission: Submission, raw: bytes) -> str:
    """Check an email's DKIM signature once (kept in ``metadata["dkim"]``); under
    ``TLSMON_REPORT_DKIM=require`` the reason to refuse it, else "". A failed key lookup
    (temperror) never refuses: a DNS outage must not drop reports."""
    mode = settings.TLSMON_REPORT_DKIM
    if mode == "off" or submission.channel != Channel.EMAIL:
        return ""
    result = submission.metadata.get("dkim")
    if result is None:
        result = verify_report_dkim(
            raw,
            nameservers=list(settings.TLSMON_DNS_NAMESERVERS),
            timeout=settings.TLSMON_DNS_TIMEOUT,
        ).as_dict()
        submission.metadata = {**submission.metadata, "dkim": result}
        Submission.objects.filter(pk=submission.pk).update(metadata=submission.metadata)
    if mode == "require" and result["status"] in {"fail", "none"}:
        return (
            f"no valid DKIM signature ({result['status']}: {result['detail']}); RFC 8460 "
            "section 3 says such reports must be ignored"
        )
    return ""


def _reject(submission: Submission, reason: str) -> IngestSummary:
    Submission.objects.filter(pk=submission.pk).update(
        status=SubmissionStatus.REJECTED, error=reason, processed_at=timezone.now()
    )
    submission.status, submission.error = SubmissionStatus.REJECTED, reason
    return IngestSummary(rejected=[Rejection(submission.source, reason)])


def submission_enqueue(*, submission: Submission) -> None:
    """Process the submission in a worker once the current transaction commits.

    Never raises for a broker that cannot be reached (Redis down): the submission is stored
    and pending, so ``report_sweep`` queues it once Redis is back, and the sender of an HTTPS
    report still gets its 202.
    """
    submission_id = submission.pk
    transaction.on_commit(lambda: _queue_processing([submission_id]))


def _queue_processing(submission_ids: list[int], **options: object) -> int:
    """Send one processing task per id; stop at the first broker error (logged, not raised:
    every id not sent stays pending for the sweep). Returns how many were sent.

    With in-process tasks (the quickstart: no REDIS_URL, ``task_always_eager``) sending *is*
    processing, so any error of the task lands here: it is recorded on the still pending
    submission for the sweep and never reaches the sender (whose report is stored) as a 500.
    """
    from reports.tasks import process_submission as process_submission_task

    in_process = process_submission_task.app.conf.task_always_eager
    for sent, submission_id in enumerate(submission_ids):
        try:
            process_submission_task.apply_async((submission_id,), **options)
        except Exception as exc:
            if in_process:
                _processing_failed(submission_id, exc)
                continue
            if not isinstance(exc, KombuError | OSError):
                raise
            logger.warning(
                "broker unreachable (%s): %d submission(s) left pending for report_sweep",
                exc,
                len(submission_ids) - sent,
            )
            return sent
    return len(submission_ids)


def _processing_failed(submission_id: int, exc: Exception) -> None:
    """Record why processing failed on a submission that stays pending (the sweep retries it,
    backing off, up to MAX_ATTEMPTS)."""
    logger.error("processing submission %s failed; left pending", submission_id, exc_info=exc)
    note = f"processing failed ({type(exc).__name__}: {exc}); left pending for report_sweep"
    try:
        Submission.objects.filter(pk=submission_id, status=SubmissionStatus.PENDING).update(
            error=note[:2000]
        )
    except DatabaseError:  # the database itself failed: the row is pending all the same
        logger.warning("could not record the failure of submission %s", submission_id)


def report_ingest_bytes(
    *,
    organization: Organization,
    payload: bytes,
    channel: str,
    source: str,
    content_type: str = "",
) -> IngestSummary:
    """Receive and process one payload synchronously (files, benchmarks, tests)."""
    submission, _ = submission_receive(
        organization=organization,
        payload=payload,
        channel=channel,
        source=source,
        content_type=content_type,
    )
    return submission_process(submission=submission)


def email_ingest(*, organization: Organization, raw_message: bytes, source: str) -> IngestSummary:
    """Ingest one email message for a known tenant (its reports are its attachments)."""
    return report_ingest_bytes(
        organization=organization,
        payload=raw_message,
        channel=Channel.EMAIL,
        source=source,
        content_type="message/rfc822",
    )


def mail_ingest(*, raw_message: bytes, source: str) -> IngestSummary:
    """Route an email by its recipients' report token, then ingest it for that tenant.

    The first recipient (Delivered-To, X-Original-To, To, Cc order) with a known token wins.
    With no known token the message is rejected and its bytes are NOT stored: without a
    tenant there is no one it could be stored for (the IMAP side files it as failed).
    """
    try:
        organization, recipients = mail_organization(raw_message)
    except Exception as exc:  # one broken message must not stop the mailbox loop
        return IngestSummary().reject(source, f"not a readable email message ({exc})")
    if organization is None:
        shown = ", ".join(recipients) or "(none)"
        return IngestSummary().reject(source, f"no organization for recipient {shown}")
    return email_ingest(organization=organization, raw_message=raw_message, source=source)


def _reprocess_item(group: list[QuarantinedPolicy]) -> StoreItem:
    """The quarantined policies of one delivery of a report, rebuilt into a report to route
    again with the rank that delivery had (provenance and arrival of the quarantined copy)."""
    first = group[0]
    return StoreItem(
        report_from_json(first.report_header, [policy_from_json(q.policy) for q in group]),
        first.submission,
        first.submission.source if first.submission else "",
        header_domain=first.report_header.get("tls_report_domain", ""),
        hints=tuple(first.hints),
        resolving={quarantined_key(q): q for q in group},
        provenance=first.provenance,
        received_at=first.received_at,
    )


def _deliveries(rows: Iterable[QuarantinedPolicy]) -> list[list[QuarantinedPolicy]]:
    """Quarantined rows grouped per delivery of a report, oldest first. Each copy of a key
    lands in a group of its own (merged into one report they would be added up), so every
    copy is offered to ``reports.copies.CopyBook`` and the strongest one counts."""
    groups: dict[tuple, list[list[QuarantinedPolicy]]] = defaultdict(list)
    for row in rows:
        deliveries = groups[(row.organization_name, row.report_identifier, row.submission_id)]
        group = next(
            (g for g in deliveries if all(quarantined_key(q) != quarantined_key(row) for q in g)),
            None,
        )
        if group is None:
            deliveries.append(group := [])
        group.append(row)
    return [group for deliveries in groups.values() for group in deliveries]


def quarantine_reprocess(
    *, organization: Organization, quarantined: Iterable[QuarantinedPolicy] | None = None
) -> IngestSummary:
    """Route unresolved quarantined policies again, e.g. after the tenant added a domain.

    Policies that now belong to one of the tenant's domains are stored (and rolled up) and
    their quarantine rows marked resolved; the others stay as they are. Every open copy of
    the selected reports is routed together (``quarantined`` picks reports, not one copy), as
    its own delivery with the provenance and arrival it came with: the strongest copy counts
    and the others are kept as conflicting copies, exactly as if the domain had been there when
    they arrived. Counted per delivery of a report:
    ``accepted`` (something stored), ``conflicts`` (other content for a key already stored),
    ``quarantined`` (something still not routable), ``duplicates`` (already stored by a later
    delivery; now marked resolved).
    """
    rows = QuarantinedPolicy.objects.filter(organization=organization, resolved_at__isnull=True)
    if quarantined is not None:
        picked = QuarantinedPolicy.objects.filter(
            pk__in=[q.pk for q in quarantined],
            organization_name=OuterRef("organization_name"),
            report_identifier=OuterRef("report_identifier"),
        )
        rows = rows.filter(Exists(picked))
    ordered = rows.select_related("submission").order_by(
        F("received_at").asc(nulls_first=True), "id"
    )
    items = [_reprocess_item(group) for group in _deliveries(ordered)]
    return reports_store(organization=organization, items=items)


def _sweep_due(now: datetime, first_after: timedelta) -> Q:
    """Pending submissions due another try: the first ``first_after`` after receipt, then
    waiting twice as long after each further attempt, so one that keeps failing backs off
    (hours, not minutes, before MAX_ATTEMPTS) instead of being retried every sweep."""
    due = Q()
    for attempts in range(MAX_ATTEMPTS):
        due |= Q(attempts=attempts, received_at__lt=now - first_after * 2 ** max(0, attempts - 1))
    return due


def submissions_sweep(*, older_than: timedelta, expires: float | None = None) -> int:
    """Queue again the submissions of every tenant still pending ``older_than`` after receipt.

    Deliberately cross-tenant (a beat job): each task is about one submission, which names
    its tenant. Submissions that failed ``MAX_ATTEMPTS`` times are left for an operator.
    ``expires`` (seconds) drops a message no worker started by then: the next sweep sends a
    fresh one if the submission is still pending, so a backlog never piles up duplicates.
    """
    pending = Submission.objects.filter(
        _sweep_due(timezone.now(), older_than), status=SubmissionStatus.PENDING
    )
    ids = list(pending.order_by("received_at").values_list("pk", flat=True)[:5000])
    transaction.on_commit(lambda: _queue_processing(ids, expires=expires))
    return len(ids)
