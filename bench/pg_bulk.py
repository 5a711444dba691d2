"""Bulk loading help for the benchmarks' seeding: build secondary indexes and check foreign keys
once after a load instead of row by row during it (PostgreSQL only)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from bench.ingest_db import progress

_CONSTRAINTS = (
    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype "
    "FROM pg_constraint WHERE conrelid = ANY(%s::text[]::regclass[]) AND contype IN ('f', 'u') "
    "ORDER BY contype DESC, conname"  # unique before foreign keys when re-adding
)
_INDEXES = (
    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
    "WHERE i.indrelid = ANY(%s::text[]::regclass[]) AND NOT i.indisprimary AND NOT EXISTS "
    "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('u', 'p')) "
    "ORDER BY 1"
)


def _quote(name: str) -> str:
    from django.db import connection

    return connection.ops.quote_name(name)


@contextmanager
def secondary_indexes_deferred(tables: Sequence[str]) -> Iterator[None]:
    """Drop the unique and foreign-key constraints and the other non-primary-key indexes of
    ``tables``, and re-create exactly those definitions on exit (which also validates every
    foreign key and unique constraint over the loaded rows)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_CONSTRAINTS, [list(tables)])
        constraints = cursor.fetchall()
        cursor.execute(_INDEXES, [list(tables)])
        indexes = cursor.fetchall()
        for table, name, _, _ in reversed(constraints):
            cursor.execute(f"ALTER TABLE {_quote(table)} DROP CONSTRAINT {_quote(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {_quote(name)}")
    yield
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition, _ in constraints:
            cursor.execute(
                f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} {definition}"
            )
        cursor.execute("RESET maintenance_work_mem")
    progress(
        f"  re-created {len(indexes)} indexes and {len(constraints)} constraints in "
        f"{time.perf_counter() - began:.1f} s"
    )
