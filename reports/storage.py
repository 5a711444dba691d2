"""Parsed reports -> rows, once: the one write path behind every channel and the bulk loader.

Each call runs in one transaction that first takes a PostgreSQL advisory lock per
(organization, reporter, report-id). Two workers storing the same report therefore run one
after the other: the second sees the first one's policies and stores (and counts) nothing.
The unique constraints on ``ReportPolicy``/``QuarantinedPolicy`` are the backstop. What a
batch adds is decided first, in memory, by ``reports.batch_plan``; this module writes it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import Q

from accounts.models import Domain, Organization
from reports.batch_plan import BatchPlan, StoreItem, plan_report
from reports.fastinsert import insert_rows, int_array
from reports.figures import figures_kept_current
from reports.models import FailureDetail, QuarantinedPolicy, Report, ReportPolicy
from reports.rollups import rollups_add, rollups_recount
from reports.signals import reports_stored
from reports.store_rows import DetailRow, PolicyRow, ReportKey, ReportRow, report_key
from reports.summary import IngestSummary

logger = logging.getLogger(__name__)

# What a stored report takes from the delivery that now stands for it
# (``BatchPlan.headers_follow``).
HEADER_FIELDS = ["submission_id", "contact_info", "start", "end", "repairs", "received_at"]


def _lock(organization: Organization, keys: Sequence[ReportKey]) -> None:
    """Serialize writers of the same reports (PostgreSQL; SQLite serializes all writes)."""
    if connection.vendor != "postgresql" or not keys:
        return
    ids = sorted(
        int.from_bytes(
            hashlib.blake2b(f"{organization.pk}\0{a}\0{b}".encode(), digest_size=8).digest(),
            "big",
            signed=True,
        )
        for a, b in keys
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) AS k", [ids]
        )


def _write(plan: BatchPlan) -> tuple[set[tuple[int, date]], set[tuple[int, date]]]:
    """Insert the planned rows and update the figures; the (domain id, day) pairs touched, and
    those of them with failed sessions (or whose counted copy changed)."""
    moved = plan.headers_follow()
    report_ids = insert_rows(Report, ReportRow._fields, list(plan.new_reports.values()))
    if moved:
        Report.objects.bulk_update(moved, HEADER_FIELDS)
    plan.reports.update(zip(plan.new_reports, report_ids, strict=True))
    policies = [
        copy.row._replace(
            report_id=plan.reports[rkey],
            counted=copy.counted,
            provenance=copy.provenance,
            received_at=copy.received_at,  # a stronger duplicate in this batch took it over
            submission_id=copy.submission_id,
        )
        for rkey, copy in plan.new_policies
    ]
    plan.copies.write_before_insert()
    policy_ids = insert_rows(ReportPolicy, PolicyRow._fields, policies)
    plan.copies.write_after_insert()
    details = [d._replace(policy_id=policy_ids[index]) for index, d in plan.new_details]
    insert_rows(FailureDetail, DetailRow._fields, details)
    for rkey, row in plan.new_quarantine:
        row.report_id = plan.reports.get(rkey)
    QuarantinedPolicy.objects.bulk_create([row for _, row in plan.new_quarantine])
    if plan.raised_quarantine:
        QuarantinedPolicy.objects.bulk_update(
            plan.raised_quarantine.values(), ["provenance", "received_at", "submission_id"]
        )
    if plan.resolved:
        QuarantinedPolicy.objects.filter(pk__in=plan.resolved).update(resolved_at=plan.now)
    flipped = {(c.domain_id, c.day) for c in plan.copies.flipped() if c.domain_id}
    keys = {(p.organization_id, p.domain_id, p.day) for p in policies}
    with figures_kept_current(keys=keys | {(plan.organization.pk, *pair) for pair in flipped}):
        counted = [pk for pk, p in zip(policy_ids, policies, strict=True) if p.counted]
        rollups_add(policy_ids=counted)
        rollups_recount(pairs=flipped)
    _touch_domains({p.domain_id for p in policies}, plan.now)
    touched = {(p.domain_id, p.day) for p in policies if p.domain_id} | flipped
    return touched, {(p.domain_id, p.day) for p in policies if p.domain_id and p.failed} | flipped


def _touch_domains(domain_ids: set[int], now: datetime) -> None:
    """``last_report_at = max(last_report_at, now)``, locking rows in id order (no deadlocks
    between two batches that share domains); on PostgreSQL in one statement."""
    if not domain_ids:
        return
    if connection.vendor == "postgresql":
        table = Domain._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET last_report_at = %s WHERE id IN ("
                f"SELECT id FROM {table} WHERE id = ANY(%s::bigint[]) "
                "AND (last_report_at IS NULL OR last_report_at < %s) ORDER BY id FOR UPDATE)",
                [now, int_array(sorted(domain_ids)), now],
            )
        return
    stale = (
        Domain.objects.filter(pk__in=domain_ids)
        .filter(Q(last_report_at__isnull=True) | Q(last_report_at__lt=now))
        .order_by("pk")
        .select_for_update()
    )
    Domain.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).update(
        last_report_at=now
    )


def reports_store(*, organization: Organization, items: Sequence[StoreItem]) -> IngestSummary:
    """Store parsed reports for ``organization``; counts per report (see ``IngestSummary``).

    Idempotent: policies already stored (or already quarantined) are skipped and not added to
    the roll-ups again. A report that adds nothing new counts as a duplicate.
    """
    summary = IngestSummary()
    if not items:
        return summary
    with transaction.atomic():
        _lock(organization, sorted({report_key(i.report) for i in items}))
        plan = BatchPlan.load(organization, items)
        for item in items:
            accepted, quarantined, conflicting = plan_report(item, plan)
            summary.accepted += accepted
            summary.quarantined += quarantined
            summary.conflicts += conflicting
            summary.duplicates += not (accepted or quarantined or conflicting)
            summary.report_ids.append(item.report.report_id)
        touched, failing = _write(plan)
        if touched:
            organization_id = organization.pk
            transaction.on_commit(lambda: _announce(organization_id, touched, failing))
    return summary


def _announce(
    organization_id: int, keys: set[tuple[int, date]], failing: set[tuple[int, date]]
) -> None:
    """Tell the apps above (alerts) which domain-days this batch changed; their failure is
    logged and never fails the ingest (the reports are stored)."""
    outcomes = reports_stored.send_robust(
        sender=Report, organization_id=organization_id, keys=keys, failing=failing
    )
    for receiver, outcome in outcomes:
        if isinstance(outcome, Exception):
            logger.error("%s failed after an ingest batch: %r", receiver, outcome, exc_info=outcome)
