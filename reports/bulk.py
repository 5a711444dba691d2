"""Bulk intake for one tenant: thousands of report files per second into PostgreSQL.

Same rules as the one-at-a-time path (reports stored once, roll-ups counted once), in batches
of 1,000: per batch one ``COPY`` of the submissions (already carrying their outcome) and one
``reports_store`` call (a handful of COPYs and two roll-up upserts), in ONE transaction. The raw
bytes are therefore durable together with their reports rather than before them: a failing
batch stores nothing and raises, so nothing is left half-written and the caller, who still has
the files, sees the error. When a concurrent loader stored some of a batch's payloads first, that
batch falls back to the one-at-a-time order (each submission stored, then processed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Organization
from reports.fastinsert import insert_rows
from reports.intake import (
    channel_of,
    rejections_add,
    submission_outcome,
    submission_receive,
    unpack,
)
from reports.models import Submission
from reports.payloads import Unpacked, compress, sha256_hex
from reports.storage import StoreItem, reports_store
from reports.summary import IngestSummary

BATCH_SIZE = 1000


def _batches(items: Iterable[tuple[bytes, str]], size: int) -> Iterator[list[tuple[bytes, str]]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _new_payloads(
    organization: Organization,
    batch: list[tuple[bytes, str]],
    summary: IngestSummary,
    pending: Collection[str] = (),
) -> list[tuple[bytes, str, str]]:
    """(payload, source, sha256) not stored yet; byte-identical ones count as duplicates.

    ``pending``: digests of the previous batch, which may not be committed yet (it is being
    stored while this batch is prepared)."""
    seen: dict[str, tuple[bytes, str]] = {}
    for payload, source in batch:
        digest = sha256_hex(payload)
        if digest in seen or digest in pending:
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


@dataclass(frozen=True, slots=True)
class Received:
    """A submission row just inserted: what the rest of the batch reads of it (no model
    instance per row: building them cost more than the insert)."""

    pk: int
    channel: str
    source: str
    sha256: str
    received_at: datetime


class SubmissionRow(NamedTuple):
    """One submission as ``COPY`` writes it (column order), already carrying its outcome."""

    organization_id: int
    channel: str
    source: str
    content_type: str
    metadata: dict
    payload: bytes
    sha256: str
    size: int
    received_at: datetime
    status: str
    error: str
    processed_at: datetime
    attempts: int


class _StoredConcurrently(Exception):
    """Another loader stored some of this batch's payloads first."""


def _store_items(unpacked: list[tuple[Received | Submission, Unpacked]]) -> list[StoreItem]:
    return [
        StoreItem(part.report, sub, part.source, header_domain=u.header_domain)
        for sub, u in unpacked
        for part in u.parts
        if part.report is not None
    ]


def _insert_submissions(rows: list[SubmissionRow]) -> list[int]:
    """Insert in digest order, so two loaders with overlapping batches wait for each other on
    the unique index instead of deadlocking; returns the ids in the order of ``rows``."""
    order = sorted(range(len(rows)), key=lambda i: rows[i].sha256)
    inserted = insert_rows(Submission, SubmissionRow._fields, [rows[i] for i in order])
    ids = [0] * len(rows)
    for i, pk in zip(order, inserted, strict=True):
        ids[i] = pk
    return ids


def _prepare(new: list[tuple[bytes, str, str]]) -> list[tuple[str, bytes, Unpacked]]:
    """(channel, compressed payload, parsed parts) per new payload: pure CPU, no database, so
    it runs in a worker thread while the previous batch waits for PostgreSQL."""
    prepared = []
    for p, s, _ in new:
        channel = channel_of(p)
        prepared.append((channel, compress(p), unpack(channel=channel, source=s[:500], raw=p)))
    return prepared


def _store_batch(
    organization: Organization,
    new: list[tuple[bytes, str, str]],
    prepared: list[tuple[str, bytes, Unpacked]],
    summary: IngestSummary,
) -> list[Unpacked]:
    """Submissions (with their outcome) and their reports in ONE transaction: one commit per
    batch and no status UPDATE. A failure stores nothing of the batch and propagates, so no
    submission is left half-processed. Raises ``_StoredConcurrently`` (nothing stored) when a
    concurrent loader stored some of the payloads."""
    now, org = timezone.now(), organization.pk
    rows = [
        SubmissionRow(
            org, c, s[:500], "", {}, z, d, len(p), now, *submission_outcome(u.parts), now, 1
        )
        for (p, s, d), (c, z, u) in zip(new, prepared, strict=True)
    ]
    unpacked = [u for _, _, u in prepared]
    with transaction.atomic():
        try:
            with transaction.atomic():
                ids = _insert_submissions(rows)
        except IntegrityError:
            raise _StoredConcurrently from None
        subs = [
            Received(pk, r.channel, r.source, r.sha256, now)
            for pk, r in zip(ids, rows, strict=True)
        ]
        items = _store_items(list(zip(subs, unpacked, strict=True)))
        summary.merge(reports_store(organization=organization, items=items))
    return unpacked


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


def _store_one_by_one(
    organization: Organization, new: list[tuple[bytes, str, str]], summary: IngestSummary
) -> list[Unpacked]:
    """The batch after a concurrent loader stored some of it: each submission received (and
    durable) on its own, then the new ones processed as ``submission_process`` would."""
    received = []
    for p, s, _ in new:
        sub, created = submission_receive(
            organization=organization, payload=p, channel=channel_of(p), source=s
        )
        if created:
            received.append((sub, unpack(channel=sub.channel, source=sub.source, raw=p)))
        else:  # the other loader stored it first: byte-identical to a stored one
            summary.duplicates += 1
    with transaction.atomic():
        summary.merge(reports_store(organization=organization, items=_store_items(received)))
        _finish(received)
    return [u for _, u in received]


def _ingest_batch(
    organization: Organization, new: list[tuple[bytes, str, str]], prepared: Future
) -> IngestSummary:
    summary = IngestSummary()
    try:
        unpacked = _store_batch(organization, new, prepared.result(), summary)
    except _StoredConcurrently:
        unpacked = _store_one_by_one(organization, new, summary)
    for u in unpacked:
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

    Pipelined: while batch N is stored (mostly waiting for PostgreSQL), a worker thread
    compresses and parses batch N+1, whose new payloads were picked before N was committed
    (N's digests count as stored).
    """
    summary = IngestSummary()
    current, pending = None, ()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-prepare") as worker:
        for batch in _batches(items, batch_size):
            new = _new_payloads(organization, batch, summary, pending)
            following = (new, worker.submit(_prepare, new))
            if current is not None:
                summary.merge(_ingest_batch(organization, *current))
            current, pending = following, {d for _, _, d in new}
        if current is not None:
            summary.merge(_ingest_batch(organization, *current))
    return summary
