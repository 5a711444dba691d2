"""Keep the derived figures (``reports.models.figures``) and the domains' 7/30-day session
totals in step with the daily roll-ups.

A domain-day counts, per reporter, only the policy type with the most sessions (the counting
rules live in ``reports.counting``), so a Microsoft ``tlsa`` policy arriving after its ``sts``
twin changes *which* row counts: figures cannot just add the new policy. Ingestion therefore
measures what the touched domain-days contribute before and after its roll-up upsert and moves
the organization-day rows by the difference (cost follows the batch, not the organization), and
rebuilds the touched domain-day rows outright. It runs in the ingesting transaction under a
PostgreSQL advisory lock per (organization, day), so two writers of the same day take turns.
``figures_rebuild_all`` recomputes everything from the roll-ups (repair, bulk loads). Plain SQL
that PostgreSQL and SQLite (3.25+) both run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import date

from django.db import connection, transaction

from reports.counting import counted_failures, counted_rollups
from reports.models import (
    DomainDailyTotal,
    OrganizationDailyFailure,
    OrganizationDailyResult,
    OrganizationDailyTotal,
)
from reports.sql import CHUNK, as_date, day_param, placeholders, table_name
from reports.windows import domain_windows_refresh

DERIVED = (
    DomainDailyTotal,
    OrganizationDailyTotal,
    OrganizationDailyFailure,
    OrganizationDailyResult,
)
_ARRAY_TYPES = {"organization_id": "bigint", "day": "date"}  # key columns; the rest are text


def _rebuild_domain_days(where: str, params: list) -> None:
    """Replace the domain-day totals selected by ``where`` with sums from the roll-ups."""
    totals = table_name(DomainDailyTotal)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {totals} WHERE {where}", params)
        cursor.execute(
            f"INSERT INTO {totals} (domain_id, organization_id, day, successful, failed) "
            "SELECT domain_id, organization_id, day, SUM(successful), SUM(failed) "
            f"FROM {counted_rollups(where)} counted GROUP BY domain_id, organization_id, day",
            params,
        )


def _rebuild_organization_days(where: str, params: list) -> None:
    """Replace the organization-day rows selected by ``where`` with sums from the roll-ups."""
    org_totals, org_failures = (
        table_name(OrganizationDailyTotal),
        table_name(OrganizationDailyFailure),
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {org_totals} WHERE {where}", params)
        cursor.execute(
            f"INSERT INTO {org_totals} (organization_id, day, organization_name, successful, "
            "failed) SELECT organization_id, day, organization_name, SUM(successful), "
            f"SUM(failed) FROM {counted_rollups(where)} counted "
            "GROUP BY organization_id, day, organization_name "
            "HAVING SUM(successful) + SUM(failed) > 0",  # as the incremental path: no zero rows
            params,
        )
        cursor.execute(f"DELETE FROM {org_failures} WHERE {where}", params)
        cursor.execute(
            f"INSERT INTO {org_failures} (organization_id, day, result_type, "
            "receiving_mx_hostname, failed) SELECT organization_id, day, result_type, "
            f"receiving_mx_hostname, SUM(failed) FROM {counted_failures(where)} counted "
            "GROUP BY organization_id, day, result_type, receiving_mx_hostname "
            "HAVING SUM(failed) > 0",
            params,
        )
        # Built from the rows just written (``where`` names organizations and days only).
        results = table_name(OrganizationDailyResult)
        cursor.execute(f"DELETE FROM {results} WHERE {where}", params)
        cursor.execute(
            f"INSERT INTO {results} (organization_id, day, result_type, failed) "
            f"SELECT organization_id, day, result_type, SUM(failed) FROM {org_failures} "
            f"WHERE {where} GROUP BY organization_id, day, result_type",
            params,
        )


def _lock(pairs: Iterable[tuple[int, date]]) -> None:
    """One transaction-scoped advisory lock per (organization, day), taken in sorted order."""
    if connection.vendor != "postgresql":
        return  # SQLite serializes writers
    pairs = sorted(set(pairs))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(o::int, d::int)) "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS k(o, d)",
            [[o for o, _ in pairs], [d.toordinal() for _, d in pairs]],
        )


def _touched(domain_ids: Sequence[int], days: Sequence[date]) -> Iterable[tuple[str, list]]:
    """``WHERE`` clauses covering (domain ids x days): one with arrays on PostgreSQL, else in
    chunks of bounded size."""
    if connection.vendor == "postgresql":
        yield (
            "domain_id = ANY(%s::bigint[]) AND day = ANY(%s::date[])",
            [list(domain_ids), list(days)],
        )
        return
    day_params = [day_param(d) for d in days]
    for first in range(0, len(domain_ids), CHUNK):
        ids = list(domain_ids[first : first + CHUNK])
        for start in range(0, len(day_params), CHUNK):
            part = day_params[start : start + CHUNK]
            yield f"domain_id IN {placeholders(ids)} AND day IN {placeholders(part)}", [*ids, *part]


def _organization_shares(domain_ids: Sequence[int], days: Sequence[date]) -> tuple[dict, dict]:
    """What these domains contribute on these days to the organization-day rows:
    ``{(org, day, reporter): (successful, failed)}`` and ``{(org, day, type, mx): (failed,)}``
    (values in the column order of the table they change)."""
    totals: dict[tuple, tuple[int, int]] = defaultdict(lambda: (0, 0))
    failures: dict[tuple, tuple[int]] = defaultdict(lambda: (0,))
    with connection.cursor() as cursor:
        for where, params in _touched(domain_ids, days):
            cursor.execute(
                "SELECT organization_id, day, organization_name, SUM(successful), SUM(failed) "
                f"FROM {counted_rollups(where)} counted "
                "GROUP BY organization_id, day, organization_name",
                params,
            )
            for org, day, name, ok, failed in cursor.fetchall():
                so_far_ok, so_far_failed = totals[(org, as_date(day), name)]
                totals[(org, as_date(day), name)] = (
                    so_far_ok + int(ok),
                    so_far_failed + int(failed),
                )
            cursor.execute(
                "SELECT organization_id, day, result_type, receiving_mx_hostname, SUM(failed) "
                f"FROM {counted_failures(where)} counted "
                "GROUP BY organization_id, day, result_type, receiving_mx_hostname",
                params,
            )
            for org, day, result_type, mx, failed in cursor.fetchall():
                (so_far,) = failures[(org, as_date(day), result_type, mx)]
                failures[(org, as_date(day), result_type, mx)] = (so_far + int(failed),)
    return totals, failures


def _current_values(cursor, table: str, key_columns, value_columns, keys: list[list]) -> dict:
    """The stored values of these keys, read in chunks with one row-value ``IN`` each."""
    found: dict[tuple, tuple] = {}
    width = len(key_columns)
    if connection.vendor == "postgresql":
        types = [_ARRAY_TYPES.get(c, "text") for c in key_columns]
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        match = " AND ".join(f"t.{c} = v.{c}" for c in key_columns)
        cursor.execute(
            f"SELECT {', '.join(f't.{c}' for c in (*key_columns, *value_columns))} FROM {table} "
            f"AS t JOIN unnest({arrays}) AS v({', '.join(key_columns)}) ON {match}",
            [list(column) for column in zip(*keys, strict=True)],
        )
        for values in cursor.fetchall():
            found[tuple(values[:width])] = tuple(int(v) for v in values[width:])
        return found
    row = "(" + ", ".join(["%s"] * len(key_columns)) + ")"
    for start in range(0, len(keys), CHUNK // len(key_columns)):
        part = keys[start : start + CHUNK // len(key_columns)]
        cursor.execute(
            f"SELECT {', '.join((*key_columns, *value_columns))} FROM {table} "
            f"WHERE ({', '.join(key_columns)}) IN (VALUES {', '.join([row] * len(part))})",
            [value for key in part for value in key],
        )
        for values in cursor.fetchall():
            key = (values[0], as_date(values[1]), *values[2:width])
            found[key] = tuple(int(v) for v in values[width:])
    return found


def _key_params(key: tuple) -> list:
    """A key of the organization-day tables, (organization id, day, text columns...), as query
    parameters."""
    organization_id, day, *rest = key
    return [organization_id, day_param(day), *rest]


def _apply_changes(model, key_columns: tuple[str, ...], changes: dict[tuple, tuple]) -> None:
    """Add ``changes`` (key -> value deltas) to ``model``'s rows; rows that reach zero go.
    Only called under the (organization, day) locks, so nobody else writes these keys."""
    if not changes:
        return
    table = table_name(model)
    value_columns = ("successful", "failed") if model is OrganizationDailyTotal else ("failed",)
    match = " AND ".join(f"{c} = %s" for c in key_columns)
    keys = sorted(changes)
    params_of = {key: _key_params(key) for key in keys}
    inserts, updates, deletes = [], [], []
    with connection.cursor() as cursor:
        stored = _current_values(
            cursor, table, key_columns, value_columns, [params_of[k] for k in keys]
        )
        for key in keys:
            old = stored.get(key)
            values = [
                a + b for a, b in zip(old or (0,) * len(value_columns), changes[key], strict=True)
            ]
            if not any(values):
                deletes.append(params_of[key])
            elif old is None:
                inserts.append([*params_of[key], *values])
            else:
                updates.append([*values, *params_of[key]])
        if connection.vendor == "postgresql":
            _write_arrays(cursor, table, key_columns, value_columns, inserts, updates, deletes)
            return
        if deletes:
            cursor.executemany(f"DELETE FROM {table} WHERE {match}", deletes)
        if updates:
            assign = ", ".join(f"{c} = %s" for c in value_columns)
            cursor.executemany(f"UPDATE {table} SET {assign} WHERE {match}", updates)
        if inserts:
            columns = (*key_columns, *value_columns)
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {placeholders(columns)}",
                inserts,
            )


def _write_arrays(cursor, table, key_columns, value_columns, inserts, updates, deletes) -> None:
    """PostgreSQL: each kind of change in one statement over ``unnest`` of column arrays
    (row-by-row ``executemany`` cost more than the figures themselves)."""
    key_types = [_ARRAY_TYPES.get(c, "text") for c in key_columns]

    def source(columns, types, rows) -> tuple[str, list]:
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        names = ", ".join(columns)
        return f"unnest({arrays}) AS v({names})", [list(col) for col in zip(*rows, strict=True)]

    match = " AND ".join(f"t.{c} = v.{c}" for c in key_columns)
    if deletes:
        rows, params = source(key_columns, key_types, deletes)
        cursor.execute(f"DELETE FROM {table} AS t USING {rows} WHERE {match}", params)
    value_types = ["bigint"] * len(value_columns)
    if updates:
        reordered = [[*row[len(value_columns) :], *row[: len(value_columns)]] for row in updates]
        rows, params = source((*key_columns, *value_columns), key_types + value_types, reordered)
        assign = ", ".join(f"{c} = v.{c}" for c in value_columns)
        cursor.execute(f"UPDATE {table} AS t SET {assign} FROM {rows} WHERE {match}", params)
    if inserts:
        columns = (*key_columns, *value_columns)
        rows, params = source(columns, key_types + value_types, inserts)
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM {rows}",
            params,
        )


def _changes(before: dict[tuple, tuple], after: dict[tuple, tuple]) -> dict[tuple, tuple]:
    """Per key, ``after`` minus ``before`` value by value; keys that did not change are left out."""
    changes = {}
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        zero = (0,) * len(old or new)
        delta = tuple(n - o for n, o in zip(new or zero, old or zero, strict=True))
        if any(delta):
            changes[key] = delta
    return changes


def _over_mx_hosts(changes: dict[tuple, tuple]) -> dict[tuple, tuple]:
    """(org, day, result type, MX) deltas added up to (org, day, result type)."""
    totals: dict[tuple, int] = defaultdict(int)
    for (organization_id, day, result_type, _), (delta,) in changes.items():
        totals[(organization_id, day, result_type)] += delta
    return {key: (delta,) for key, delta in totals.items() if delta}


@contextmanager
def figures_kept_current(*, keys: Iterable[tuple[int, int, date]], today: date | None = None):
    """Wrap an ingestion's roll-up upsert: keep the derived figures of the touched
    (organization id, domain id, day) keys in step, and those domains' 7/30-day totals.

    The organization-day rows change by what the touched domain-days contribute after the
    upsert minus what they contributed before it, so the cost follows the batch, not the size
    of the organization. The (organization, day) advisory locks are taken before the first
    read: a concurrent ingestion of the same days waits and then reads committed figures.
    """
    keys = set(keys)
    if not keys:
        yield
        return
    domain_ids = sorted({domain_id for _, domain_id, _ in keys})
    days = sorted({day for _, _, day in keys})
    with transaction.atomic():
        _lock((organization_id, day) for organization_id, _, day in keys)
        totals_before, failures_before = _organization_shares(domain_ids, days)
        yield
        totals_after, failures_after = _organization_shares(domain_ids, days)
        _apply_changes(
            OrganizationDailyTotal,
            ("organization_id", "day", "organization_name"),
            _changes(totals_before, totals_after),
        )
        failure_changes = _changes(failures_before, failures_after)
        _apply_changes(
            OrganizationDailyFailure,
            ("organization_id", "day", "result_type", "receiving_mx_hostname"),
            failure_changes,
        )
        _apply_changes(
            OrganizationDailyResult,
            ("organization_id", "day", "result_type"),
            _over_mx_hosts(failure_changes),
        )
        for where, params in _touched(domain_ids, days):
            _rebuild_domain_days(where, params)
        domain_windows_refresh(domain_ids=domain_ids, today=today)


def organization_days_rebuild(*, organization_id: int, days: Sequence[date]) -> None:
    """Recompute one organization's organization-day rows for ``days`` from the roll-ups
    (after a domain and its roll-ups were deleted)."""
    with transaction.atomic():
        _lock((organization_id, day) for day in days)
        for start in range(0, len(days), CHUNK):
            part = [day_param(d) for d in days[start : start + CHUNK]]
            where = f"organization_id = %s AND day IN {placeholders(part)}"
            _rebuild_organization_days(where, [organization_id, *part])


def figures_rebuild_all(*, today: date | None = None) -> None:
    """Rebuild every derived row from the roll-ups and every domain's windows (repair, upgrade,
    bulk loads). One transaction; idempotent."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in DERIVED:
                    cursor.execute(f"LOCK TABLE {table_name(model)} IN EXCLUSIVE MODE")
        _rebuild_domain_days("1 = 1", [])
        _rebuild_organization_days("1 = 1", [])
        domain_windows_refresh(today=today)
