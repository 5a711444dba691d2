"""Report intake: where every channel's bytes are received and unpacked.

HTTPS (``reports.views``), the mailbox and ``manage.py ingest_reports`` (through
``reports.services``) and the bulk loader (``reports.bulk``) all store raw bytes with
``submission_receive`` before anything reads them, and turn bytes into parsed reports with
``unpack``; the raw-report download reads a stored delivery back with ``original_report_json``.
What happens next is elsewhere: ``reports.services`` processes a submission (DKIM, storing,
its outcome), ``reports.storage`` writes the parsed reports once.
"""

from __future__ import annotations

from collections.abc import Iterable

import orjson
from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import Organization
from reports.email_parsing import extract_reports
from reports.models import Channel, Report, Submission, SubmissionStatus
from reports.payloads import (
    Limits,
    Parsed,
    Unpacked,
    compress,
    looks_like_report_file,
    parse_email,
    parse_file,
    sha256_hex,
)
from reports.report_decompress import decompress_report
from reports.report_fields import ReportError, ReportTooLarge
from reports.routing import organization_for_token, report_token_from_address
from reports.summary import IngestSummary


def report_limits() -> Limits:
    return Limits(
        max_compressed=settings.TLSMON_REPORT_MAX_COMPRESSED,
        max_decompressed=settings.TLSMON_REPORT_MAX_DECOMPRESSED,
        max_cpu_seconds=settings.TLSMON_REPORT_MAX_CPU_SECONDS,
    )


def channel_of(payload: bytes) -> str:
    """A payload that comes without a channel (a file on disk): a report file or an email."""
    return Channel.FILE if looks_like_report_file(payload) else Channel.EMAIL


def submission_receive(
    *,
    organization: Organization,
    payload: bytes,
    channel: str,
    source: str,
    content_type: str = "",
    metadata: dict | None = None,
) -> tuple[Submission, bool]:
    """Store the raw bytes of one delivery before anything reads them.

    Returns ``(submission, created)``; a byte-identical payload already received for this
    organization returns the stored row with ``created=False``.
    """
    digest = sha256_hex(payload)
    existing = Submission.objects.filter(organization=organization, sha256=digest).first()
    if existing is not None and existing.purged_at is not None:
        # The same bytes again after retention dropped them: keep them again, so processing
        # answers as for any re-delivery (duplicate) instead of "purged".
        Submission.objects.filter(pk=existing.pk).update(payload=compress(payload), purged_at=None)
        existing.refresh_from_db()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return Submission.objects.create(
                organization=organization,
                channel=Channel(channel),
                source=source[:500],
                content_type=content_type[:200],
                metadata=metadata or {},
                payload=compress(payload),
                sha256=digest,
                size=len(payload),
            ), True
    except IntegrityError:  # the same bytes arrived concurrently
        return Submission.objects.get(organization=organization, sha256=digest), False


def unpack(*, channel: str, source: str, raw: bytes) -> Unpacked:
    """The reports in one delivery: an email's attachments, or a report file (JSON, gzip, zip),
    each parsed or with the error that made it unreadable. Never raises for bad bytes."""
    if channel == Channel.EMAIL:
        return parse_email(raw, source=source, limits=report_limits())
    return Unpacked(parts=parse_file(raw, source=source, limits=report_limits()))


def submission_outcome(parts: Iterable[Parsed]) -> tuple[str, str]:
    """(status, error text) of a submission from its unpacked parts."""
    parts = list(parts)
    errors = [
        f"{p.source}: {p.error}" if len(parts) > 1 else str(p.error) for p in parts if p.error
    ]
    if not errors:
        return SubmissionStatus.PROCESSED, ""
    if len(errors) == len(parts):
        return SubmissionStatus.REJECTED, "\n".join(errors)
    return SubmissionStatus.PARTIAL, "\n".join(errors)


def rejections_add(summary: IngestSummary, parts: Iterable[Parsed]) -> None:
    """Count the unreadable parts as rejections (413 material when over a size limit)."""
    for part in parts:
        if part.error is not None:
            summary.reject(
                part.source, str(part.error), too_large=isinstance(part.error, ReportTooLarge)
            )


def mail_organization(raw_message: bytes) -> tuple[Organization | None, tuple[str, ...]]:
    """The tenant an email is for, by the report token in its recipients (Delivered-To,
    X-Original-To, To, Cc order; the first known token wins), and the recipients. Raises for
    bytes that are not a readable message."""
    recipients = extract_reports(raw_message).recipients
    for address in recipients:
        token = report_token_from_address(address, report_domain=settings.TLSMON_REPORT_DOMAIN)
        organization = organization_for_token(token) if token else None
        if organization is not None:
            return organization, recipients
    return None, recipients


def _decompressed(payload: bytes, limits: Limits) -> bytes | None:
    try:
        return bytes(
            decompress_report(
                payload,
                max_compressed=limits.max_compressed,
                max_decompressed=limits.max_decompressed,
            )
        )
    except ReportError:
        return None


def _report_id_of(data: bytes) -> object:
    try:
        return orjson.loads(data).get("report-id")
    except (orjson.JSONDecodeError, AttributeError):
        return None


def original_report_json(report: Report, submission: Submission | None = None) -> bytes | None:
    """The report's JSON exactly as the sender wrote it (decompressed), or None if not kept.

    Read from the delivery that stands for the report (``report.submission``: the delivery of
    its strongest counted copy, which ``reports.storage`` keeps current, so a forged copy that
    arrived first is never what a user downloads once a stronger copy counts), or from
    ``submission``, another delivery carrying a copy of it (``reports.selectors.report_copies``
    lists them; the caller checks it belongs to this report). An email may carry several
    attachments, so the one whose ``report-id`` matches is returned. A zip archive yields the
    member that ``decompress_report`` picks.
    """
    submission = submission or report.submission
    if submission is None or submission.purged_at is not None:
        return None  # not kept, or purged by retention
    raw = submission.raw_payload()
    if submission.channel == Channel.EMAIL:
        payloads = [attachment.payload for attachment in extract_reports(raw).attachments]
    else:
        payloads = [raw]
    limits = report_limits()
    candidates = [data for p in payloads if (data := _decompressed(p, limits)) is not None]
    for data in candidates:
        if _report_id_of(data) == report.report_id:
            return data
    return candidates[0] if len(candidates) == 1 else None
