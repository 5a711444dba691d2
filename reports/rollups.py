"""Daily roll-ups: add newly stored policies to ``DailyRollup`` / ``DailyFailure`` in one upsert.

Only policies inserted by the current transaction are passed in (the caller holds the report's
advisory lock and skips stored keys), so a re-delivered report is never counted twice.
The database sums them itself, from the rows just inserted:
``INSERT ... SELECT ... GROUP BY ... ON CONFLICT DO UPDATE SET n = n + EXCLUDED.n``. Why: only the
new policies' ids travel (one array literal on PostgreSQL), instead of every roll-up row being
encoded in Python and sent back. Ordered by the key, so concurrent upserts lock the same rows in
the same order. Elsewhere (SQLite 3.24+) the ids go in ``IN`` chunks; the sums add up the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.db import connection
from django.db.models import Q

from reports.fastinsert import int_array
from reports.models import DailyFailure, DailyRollup, FailureDetail, Report, ReportPolicy

CHUNK = 500
ROLLUP_KEY = ("domain_id", "day", "organization_name", "policy_type")
FAILURE_KEY = (
    "domain_id",
    "day",
    "policy_type",
    "result_type",
    "receiving_mx_hostname",
    "sending_mta_ip",
)


def _rollup_sql(ids: str) -> str:
    p, r = ReportPolicy._meta.db_table, Report._meta.db_table
    return (
        f"SELECT p.domain_id, p.day, r.organization_name, p.policy_type, p.organization_id, "
        f"SUM(p.successful), SUM(p.failed), COUNT(*) "
        f"FROM {p} p JOIN {r} r ON r.id = p.report_id "
        f"WHERE p.id {ids} AND p.domain_id IS NOT NULL "
        f"GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"
    )


def _failure_sql(ids: str) -> str:
    d, p = FailureDetail._meta.db_table, ReportPolicy._meta.db_table
    return (
        f"SELECT p.domain_id, p.day, p.policy_type, d.result_type, d.receiving_mx_hostname, "
        f"d.sending_mta_ip, p.organization_id, SUM(d.failed_session_count) "
        f"FROM {d} d JOIN {p} p ON p.id = d.policy_id "
        f"WHERE d.policy_id {ids} AND p.domain_id IS NOT NULL "
        f"GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7"
    )


def _upsert(model, key: Sequence[str], rest: Sequence[str], select, policy_ids) -> int:
    """Upsert ``select(ids-condition)``'s rows (``key`` + ``rest`` columns); rows touched."""
    table = model._meta.db_table
    sums = rest[1:]  # rest[0] is organization_id
    insert = f"INSERT INTO {table} ({', '.join((*key, *rest))}) "
    conflict = f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET " + ", ".join(
        f"{c} = {table}.{c} + EXCLUDED.{c}" for c in sums
    )
    touched = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                insert + select("= ANY(%s::bigint[])") + conflict, [int_array(policy_ids)]
            )
            return cursor.rowcount
        for start in range(0, len(policy_ids), CHUNK):
            chunk = policy_ids[start : start + CHUNK]
            cursor.execute(
                insert + select(f"IN ({', '.join(['%s'] * len(chunk))})") + conflict, chunk
            )
            touched += cursor.rowcount
    return touched


def rollups_add(*, policy_ids: Sequence[int]) -> tuple[int, int]:
    """Add the policies just inserted (ids; those with a domain count) and their failure
    details to the daily roll-ups. Returns the number of roll-up and failure rows touched."""
    if not policy_ids:
        return 0, 0
    policy_ids = sorted(policy_ids)
    rollups = _upsert(
        DailyRollup,
        ROLLUP_KEY,
        ("organization_id", "successful", "failed", "reports"),
        _rollup_sql,
        policy_ids,
    )
    failures = _upsert(
        DailyFailure, FAILURE_KEY, ("organization_id", "failed"), _failure_sql, policy_ids
    )
    return rollups, failures


def rollups_recount(*, pairs: Iterable[tuple[int, date]]) -> tuple[int, int]:
    """Count these (domain id, day) pairs again from their counted policies only: after the
    counted copy of a report changed (``reports.copies``), adding cannot express the swap."""
    condition = Q()
    for domain_id, day in sorted(set(pairs)):
        condition |= Q(domain_id=domain_id, day=day)
    if not condition:
        return 0, 0
    DailyRollup.objects.filter(condition).delete()
    DailyFailure.objects.filter(condition).delete()
    counted = ReportPolicy.objects.filter(condition, counted=True).values_list("pk", flat=True)
    return rollups_add(policy_ids=list(counted))
