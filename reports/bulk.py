"""Bulk intake for one tenant: thousands of report files per second into PostgreSQL.

Same rules as the one-at-a-time path (raw bytes stored first, reports stored once, roll-ups
counted once), in batches: one insert for the submissions, one ``reports_store`` call (a
handful of bulk inserts and one roll-up upsert) and one status update per batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Organization
from reports.fastinsert import insert_all
from reports.models import Channel, Submission
from reports.payloads import Unpacked, compress, looks_like_report_file, parse_email, parse_file
from reports.payloads import sha256_hex as _sha256
from reports.storage import (
    StoreItem,
    rejections_add,
    report_limits,
    reports_store,
    submission_outcome,
)
from reports.summary import IngestSummary

BATCH_SIZE = 500


def _batches(items: Iterable[tuple[bytes, str]], size: int) -> Iterator[list[tuple[bytes, str]]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _new_payloads(
    organization: Organization, batch: list[tuple[bytes, str]], summary: IngestSummary
) -> list[tuple[bytes, str, str]]:
    """(payload, source, sha256) not stored yet; byte-identical ones count as duplicates."""
    seen: dict[str, tuple[bytes, str]] = {}
    for payload, source in batch:
        digest = _sha256(payload)
        if digest in seen:
            summary.duplicates += 1
        else:
            seen[digest] = (payload, source)
    stored = set(
        Submission.objects.filter(organization=organization, sha256__in=seen).values_list(
            "sha256", flat=True
        )
    )
    summary.duplicates += len(stored)
    return [(p, s, d) for d, (p, s) in seen.items() if d not in stored]


def _receive_batch(
    organization: Organization, new: list[tuple[bytes, str, str]]
) -> list[Submission]:
    rows = [
        Submission(
            organization=organization,
            channel=Channel.FILE if looks_like_report_file(p) else Channel.EMAIL,
            source=s[:500],
            payload=compress(p),
            sha256=d,
            size=len(p),
        )
        for p, s, d in new
    ]
    try:
        with transaction.atomic():
            insert_all(rows)
            return rows
    except IntegrityError:  # a concurrent loader stored some of them: one at a time instead
        from reports.services import submission_receive

        received = []
        for row, (p, s, _) in zip(rows, new, strict=True):
            sub, created = submission_receive(
                organization=organization, payload=p, channel=row.channel, source=s
            )
            if created:
                received.append(sub)
        return received


def _unpack(submission: Submission, payload: bytes) -> Unpacked:
    if submission.channel == Channel.EMAIL:
        return parse_email(payload, source=submission.source, limits=report_limits())
    return Unpacked(parts=parse_file(payload, source=submission.source, limits=report_limits()))


def _finish(unpacked: list[tuple[Submission, Unpacked]]) -> None:
    """Set each submission's outcome: one UPDATE per distinct (status, error), not per row."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for submission, u in unpacked:
        groups[submission_outcome(u.parts)].append(submission.pk)
    now = timezone.now()
    for (status, error), ids in groups.items():
        Submission.objects.filter(pk__in=ids).update(
            status=status, error=error, processed_at=now, attempts=1
        )


def _ingest_batch(organization: Organization, batch: list[tuple[bytes, str]]) -> IngestSummary:
    summary = IngestSummary()
    new = _new_payloads(organization, batch, summary)
    payloads = {d: p for p, _, d in new}
    submissions = _receive_batch(organization, new)
    unpacked = [(s, _unpack(s, payloads[s.sha256])) for s in submissions]
    items = [
        StoreItem(part.report, sub, part.source, header_domain=u.header_domain)
        for sub, u in unpacked
        for part in u.parts
        if part.report is not None
    ]
    with transaction.atomic():
        summary.merge(reports_store(organization=organization, items=items))
        _finish(unpacked)
    for _, u in unpacked:
        rejections_add(summary, u.parts)
    return summary


def reports_ingest_many(
    *,
    organization: Organization,
    items: Iterable[tuple[bytes, str]],
    batch_size: int = BATCH_SIZE,
) -> IngestSummary:
    """Ingest many ``(payload, source)`` pairs (report files or emails) for one tenant.

    A payload byte-identical to a stored one counts as one duplicate without being parsed
    again; everything else is counted per report, as in ``submission_process``.
    """
    summary = IngestSummary()
    for batch in _batches(items, batch_size):
        summary.merge(_ingest_batch(organization, batch))
    return summary
