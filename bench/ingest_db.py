"""Ingestion benchmark, database side: a fresh bench database and tenant, and part (b) —
``reports.bulk.reports_ingest_many`` over N reports into PostgreSQL, then the same bytes again
(all duplicates). Used by ``bench.ingest``."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.gunicorn_intake import (
    GZIP_MAGIC,
)
from bench.report_generator import policy_domains

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tlsmon_bench"


# --- database and tenant (for (b) and (c)) ------------------------------------------------------


def database_recreate(url: str) -> None:
    """Drop and create the bench database (its name must contain "bench": a safety catch)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: the bench database name must contain 'bench'")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def django_setup(url: str) -> None:
    """Point Django at the bench database (before it reads settings) and migrate it."""
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="tlsmon.settings",
        DEBUG="false",  # DEBUG would keep every query in memory
        SECRET_KEY=os.environ.get("SECRET_KEY") or "bench",
        TLSMON_LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)  # tasks (not used by these paths) run in-process
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def tenant_create(report_count: int, *, seed: int) -> Any:
    """An organization owning every policy domain of the first ``report_count`` reports."""
    from accounts.services import domains_bulk_create, organization_create

    organization = organization_create(name="Bench ingest", slug="bench-ingest")
    names = sorted(policy_domains(report_count, seed=seed))
    result = domains_bulk_create(organization=organization, names=names)
    invalid = [row for row in result.rows if row.status == "invalid"]
    if invalid:
        raise SystemExit(f"{len(invalid)} generated domains are invalid, e.g. {invalid[0]}")
    progress(f"tenant {organization.slug}: {len(names):,} domains")
    return organization


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- (b) end-to-end ingest into PostgreSQL -------------------------------------------------------


@dataclass(frozen=True)
class Pass:
    """One ``reports_ingest_many`` pass over all reports."""

    count: int
    wall_seconds: float
    cpu_seconds: float  # this process only (PostgreSQL works in its own processes)
    accepted: int
    duplicates: int
    quarantined: int
    rejected: int

    @property
    def per_second(self) -> float:
        return self.count / self.wall_seconds


@dataclass(frozen=True)
class IngestFigures:
    first: Pass
    again: Pass  # the same bytes a second time: all duplicates
    rows: dict[str, int]  # SELECT count(*) per table after the first pass
    quarantine_rows: int

    @property
    def rows_per_second(self) -> float:
        return sum(self.rows.values()) / self.first.wall_seconds


def _items(bodies: Sequence[bytes], label: str) -> Iterator[tuple[bytes, str]]:
    """``(payload, source)`` pairs, lazily; a progress line every 5,000 reports."""
    for index, body in enumerate(bodies):
        if index and index % 5000 == 0:
            progress(f"  {label}: {index:,}/{len(bodies):,} reports fed")
        suffix = ".json.gz" if body[:2] == GZIP_MAGIC else ".json"
        yield body, f"bench/{index:06d}{suffix}"


def _ingest_pass(organization: Any, bodies: Sequence[bytes], label: str) -> Pass:
    from reports.bulk import reports_ingest_many

    wall, cpu = time.perf_counter(), time.process_time()
    summary = reports_ingest_many(organization=organization, items=_items(bodies, label))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    progress(f"  {label}: {summary} in {wall:.1f} s")
    return Pass(
        count=len(bodies),
        wall_seconds=wall,
        cpu_seconds=cpu,
        accepted=summary.accepted,
        duplicates=summary.duplicates,
        quarantined=summary.quarantined,
        rejected=len(summary.rejected),
    )


def row_counts() -> dict[str, int]:
    from django.db import connection

    from reports.models import FailureDetail, Report, ReportPolicy, Submission

    counts = {}
    with connection.cursor() as cursor:
        for model in (Submission, Report, ReportPolicy, FailureDetail):
            cursor.execute(f"SELECT count(*) FROM {model._meta.db_table}")
            counts[model._meta.db_table] = cursor.fetchone()[0]
    return counts


def bench_db_ingest(organization: Any, bodies: Sequence[bytes]) -> IngestFigures:
    """Part (b): every report through ``reports_ingest_many``, then the same bytes again.

    The payloads are the encoded bodies already in memory (raw bytes, as a loader reads files);
    they are fed through a generator, so nothing is decoded ahead of the loader.
    """
    from reports.models import QuarantinedPolicy

    first = _ingest_pass(organization, bodies, "(b) ingest")
    rows = row_counts()
    again = _ingest_pass(organization, bodies, "(b) again")
    quarantine_rows = QuarantinedPolicy.objects.filter(organization=organization).count()
    return IngestFigures(first=first, again=again, rows=rows, quarantine_rows=quarantine_rows)


def print_ingest(figures: IngestFigures) -> None:
    first, again = figures.first, figures.again
    print(f"end-to-end ingest (reports_ingest_many, PostgreSQL): {first.count:,} reports")
    print(
        f"  first pass: {first.wall_seconds:.2f} s wall ({first.cpu_seconds:.2f} s CPU here), "
        f"{first.per_second:,.0f} reports/s, {figures.rows_per_second:,.0f} rows/s"
    )
    print(
        f"  accepted {first.accepted:,}, duplicates {first.duplicates:,}, "
        f"quarantined {first.quarantined:,} (rows: {figures.quarantine_rows:,}), "
        f"rejected {first.rejected:,}"
    )
    print("  rows: " + ", ".join(f"{table} {n:,}" for table, n in figures.rows.items()))
    print(
        f"  second pass (same bytes): {again.wall_seconds:.2f} s, {again.per_second:,.0f} "
        f"reports/s, duplicates {again.duplicates:,}, accepted {again.accepted:,}"
    )
