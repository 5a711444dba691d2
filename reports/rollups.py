"""Daily roll-ups: add newly stored policies to ``DailyRollup`` / ``DailyFailure`` in one upsert.

Only policies inserted by the current transaction are passed in (the caller holds the report's
advisory lock and skips stored keys), so a re-delivered report is never counted twice.
``INSERT ... ON CONFLICT DO UPDATE SET n = n + EXCLUDED.n``: on PostgreSQL one statement per
table with the rows passed as arrays (``unnest``); elsewhere (SQLite 3.24+) ``VALUES`` chunks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import psycopg
from django.db import connection

from reports.models import DailyFailure, DailyRollup, FailureDetail, ReportPolicy

CHUNK = 500
# (column, PostgreSQL array type); key columns first, then organization, then the sums.
ROLLUP_COLUMNS = (
    ("domain_id", "bigint[]"),
    ("day", "date[]"),
    ("organization_name", "text[]"),
    ("policy_type", "text[]"),
    ("organization_id", "bigint[]"),
    ("successful", "bigint[]"),
    ("failed", "bigint[]"),
    ("reports", "bigint[]"),
)
FAILURE_COLUMNS = (
    ("domain_id", "bigint[]"),
    ("day", "date[]"),
    ("policy_type", "text[]"),
    ("result_type", "text[]"),
    ("receiving_mx_hostname", "text[]"),
    ("sending_mta_ip", "text[]"),
    ("organization_id", "bigint[]"),
    ("failed", "bigint[]"),
)


def _upsert(
    table: str, columns: Sequence[tuple[str, str]], n_key: int, n_sums: int, rows: list
) -> None:
    if not rows:
        return
    rows.sort()  # a fixed order: concurrent upserts lock the same rows in the same order
    names = [name for name, _ in columns]
    key, sums = names[:n_key], names[-n_sums:]
    conflict = f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET " + ", ".join(
        f"{c} = {table}.{c} + EXCLUDED.{c}" for c in sums
    )
    insert = f"INSERT INTO {table} ({', '.join(names)}) "
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{kind}" for _, kind in columns)
        connection.ensure_connection()
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(  # typed array parameters, not SQL text rendered per element
                f"{insert} SELECT * FROM unnest({arrays}) {conflict}",
                [list(column) for column in zip(*rows, strict=True)],
            )
        return
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            cursor.execute(
                f"{insert} VALUES {', '.join([one] * len(chunk))} {conflict}",
                [value for row in chunk for value in row],
            )


def rollups_add(
    *, policies: Iterable[ReportPolicy], details: Iterable[FailureDetail]
) -> tuple[int, int]:
    """Add new policies (with a domain) and their failure details to the daily roll-ups.

    Returns the number of roll-up and failure rows touched.
    """
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for p in policies:
        if p.domain_id is None:
            continue
        key = (p.domain_id, p.day, p.report.organization_name, p.policy_type, p.organization_id)
        figures = totals[key]
        figures[0] += p.successful
        figures[1] += p.failed
        figures[2] += 1
    failures: dict[tuple, int] = defaultdict(int)
    for d in details:
        p = d.policy
        if p.domain_id is None:
            continue
        key = (p.domain_id, p.day, p.policy_type, d.result_type, d.receiving_mx_hostname)
        failures[(*key, d.sending_mta_ip, p.organization_id)] += d.failed_session_count
    rollup_rows = [[*key, *figures] for key, figures in totals.items()]
    failure_rows = [[*key, n] for key, n in failures.items()]
    _upsert(DailyRollup._meta.db_table, ROLLUP_COLUMNS, 4, 3, rollup_rows)
    _upsert(DailyFailure._meta.db_table, FAILURE_COLUMNS, 6, 1, failure_rows)
    return len(rollup_rows), len(failure_rows)
