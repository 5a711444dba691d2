"""Seed the API benchmark's database: an MSP with 20 clients, 10,000 domains with scan state and
tags, external authorizations, 90 days of reports (COPY), then the roll-ups (one set-based
``INSERT ... SELECT ... GROUP BY`` each, the grouping of ``reports.rollups``) and the derived
figures (``reports.figures.figures_rebuild_all``), then ``VACUUM ANALYZE``.

The tables start empty, so ids are assigned here and the sequences moved past them afterwards.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bench.api_profiles import CLIENT_NAMES, DAYS, TAGS, Profile, domain_profiles
from bench.api_reports import DETAIL_COLUMNS, POLICY_COLUMNS, REPORT_COLUMNS, ReportGenerator
from bench.ingest_db import progress
from bench.pg_bulk import secondary_indexes_deferred

MSP_SLUG = "bench-msp"
MIN_FAILURE_DETAILS = 2_000_000


@dataclass(frozen=True)
class Portfolio:
    """What the load needs to know about the seeded data."""

    token: str
    client_slugs: list[str]
    seconds: float  # seeding time, 0 when the data was reused


def _copy(model: Any, names: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY ``rows`` (values for the fields ``names``, by attname) into ``model``'s table.

    Concrete fields not named get their Python default (or NULL), computed once; a primary key
    not named is left to its sequence. Returns the number of rows written.
    """
    from django.db import connection
    from django.db.models import JSONField

    fields = {f.attname: f for f in model._meta.concrete_fields}
    # A field with only a database default (``db_default``) is left to the database.
    missing = [
        f
        for attname, f in fields.items()
        if attname not in names and not f.primary_key and not _database_default_only(f)
    ]
    tail = []
    for f in missing:
        if not f.has_default() and not f.null:
            raise SystemExit(f"bench seeding: no value for {model.__name__}.{f.attname}")
        value = f.get_default() if f.has_default() else None
        tail.append(json.dumps(value) if isinstance(f, JSONField) else value)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in [*(fields[n] for n in names), *missing])
    tail_values, count = tuple(tail), 0
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
        with cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row((*row, *tail_values) if tail_values else row)
                count += 1
    return count


def _database_default_only(field: Any) -> bool:
    from django.db.models import NOT_PROVIDED

    return field.db_default is not NOT_PROVIDED and not field.has_default()


def _execute(sql: str, params: Sequence | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _organizations() -> tuple[Any, list[Any]]:
    from accounts.models import Tag
    from accounts.services import organization_create

    msp = organization_create(name="Bench MSP", slug=MSP_SLUG)
    clients = [organization_create(name=name, managed_by=msp) for name in CLIENT_NAMES]
    Tag.objects.bulk_create(Tag(organization=c, name=t) for c in clients for t in TAGS)
    return msp, clients


def _domains(profiles: list[Profile], clients: list[Any]) -> None:
    from accounts.models import Domain, Tag

    def rows():
        for p in profiles:
            next_scan = p.scanned_at + timedelta(hours=24) if p.scanned_at else None
            yield (
                p.id, clients[p.organization].pk, p.name, p.unicode_name, p.is_active,
                p.added_at, p.verdict, _mta_sts(p.verdict, p.gaps), p.score, json.dumps(p.gaps),
                p.scanned_at, next_scan,
            )  # fmt: skip

    names = (
        "id", "organization_id", "name", "unicode_name", "is_active", "added_at", "scan_verdict",
        "scan_mta_sts", "scan_score", "scan_gaps", "scanned_at", "next_scan_at",
    )  # fmt: skip
    _copy(Domain, names, rows())
    tag_ids = {(t.organization_id, t.name): t.pk for t in Tag.objects.all()}
    tagged = (
        (p.id, tag_ids[(clients[p.organization].pk, tag)]) for p in profiles for tag in p.tags
    )
    _copy(Domain.tags.through, ("domain_id", "tag_id"), tagged)


def _mta_sts(verdict: str, gaps: list[str]) -> str:
    """The MTA-STS status the profile's gaps imply (``scans.scoring.STATUS_GAP`` backwards)."""
    if verdict in ("", "not_applicable"):
        return ""
    for gap, status in (
        ("mta_sts_broken", "broken"),
        ("mta_sts_testing", "testing"),
        ("no_mta_sts", "absent"),
    ):
        if gap in gaps:
            return status
    return "error" if verdict == "error" else "enforce"


def _external_authorizations(profiles: list[Profile]) -> None:
    from scans.models import ExternalAuthorization

    rows = (
        (
            p.id,
            e.uri,
            e.host,
            f"{p.name}._report._tls.{e.host}",
            e.status,
            e.is_tlsmon,
            p.scanned_at,
        )
        for p in profiles
        for e in p.externals
    )
    names = ("domain_id", "uri", "rua_host", "record_name", "status", "is_tlsmon", "checked_at")
    _copy(ExternalAuthorization, names, rows)


def _reports(generator: ReportGenerator) -> tuple[int, int, int]:
    """COPY every day's reports, policies and failure details; progress every 10 days."""
    from reports.models import FailureDetail, Report, ReportPolicy

    began, totals = time.perf_counter(), [0, 0, 0]
    for index in range(DAYS):
        rows = generator.day(index)
        totals[0] += _copy(Report, REPORT_COLUMNS, rows.reports)
        totals[1] += _copy(ReportPolicy, POLICY_COLUMNS, rows.policies)
        totals[2] += _copy(FailureDetail, DETAIL_COLUMNS, rows.details)
        if (index + 1) % 10 == 0 or index + 1 == DAYS:
            elapsed = time.perf_counter() - began
            progress(
                f"  day {index + 1}/{DAYS}: {totals[0]:,} reports, {totals[1]:,} policies, "
                f"{totals[2]:,} failure details, {sum(totals) / elapsed:,.0f} rows/s"
            )
    return totals[0], totals[1], totals[2]


def _rollups() -> None:
    """DailyRollup and DailyFailure from every policy at once, grouped as ``reports.rollups``
    groups each batch (its SELECT builders are reused, with a condition true for every id)."""
    from django.db import transaction

    from reports import rollups
    from reports.models import DailyFailure, DailyRollup

    every = "IS NOT NULL"
    with transaction.atomic():
        _execute("SET LOCAL work_mem = '256MB'")
        sums = ("organization_id", "successful", "failed", "reports")
        for model, key, rest, select in (
            (DailyRollup, rollups.ROLLUP_KEY, sums, rollups._rollup_sql),
            (
                DailyFailure,
                rollups.FAILURE_KEY,
                ("organization_id", "failed"),
                rollups._failure_sql,
            ),
        ):
            began = time.perf_counter()
            columns = ", ".join((*key, *rest))
            n = _execute(f"INSERT INTO {model._meta.db_table} ({columns}) {select(every)}")
            progress(f"  {model.__name__}: {n:,} rows in {time.perf_counter() - began:.1f} s")


def _figures() -> str:
    """The derived tables and the domains' 7/30-day totals; a note when that code is missing."""
    from django.db import transaction

    try:
        from reports.figures import figures_rebuild_all
    except ImportError as exc:
        return f"reports.figures.figures_rebuild_all unavailable ({exc}): figures NOT built"
    began = time.perf_counter()
    with transaction.atomic():
        _execute("SET LOCAL work_mem = '256MB'")
        figures_rebuild_all()
    return f"figures_rebuild_all() in {time.perf_counter() - began:.1f} s"


def _domain_report_times(last_received: dict[int, datetime]) -> None:
    from accounts.models import Domain

    ids = sorted(last_received)
    _execute(
        f"UPDATE {Domain._meta.db_table} AS d SET last_report_at = v.at "
        "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, at) WHERE d.id = v.id",
        [ids, [last_received[i] for i in ids]],
    )


def _sequences(models: Iterable[Any]) -> None:
    for model in models:
        table = model._meta.db_table
        _execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))",
            [table],
        )


def _token(msp: Any) -> str:
    from accounts.services import api_token_create

    _, plaintext = api_token_create(organization=msp, name="bench api (read)")
    return plaintext


def seed(*, seed: int, domains: int = 10_000) -> Portfolio:
    """Fill the (migrated, empty) bench database. Prints progress to stderr."""
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Domain
    from reports.models import DailyFailure, DailyRollup, FailureDetail, Report, ReportPolicy

    began, now = time.perf_counter(), timezone.now()
    _execute("SET synchronous_commit = off")  # this session only; reset below
    msp, clients = _organizations()
    profiles = domain_profiles(count=domains, clients=len(clients), seed=seed, now=now)
    _domains(profiles, clients)
    _external_authorizations(profiles)
    progress(f"seeding: {len(profiles):,} domains in {len(clients)} client organizations")
    generator = ReportGenerator(
        profiles,
        [c.pk for c in clients],
        first_day=now.date() - timedelta(days=DAYS),
        now=now,
        seed=seed,
    )
    bulk = (Report, ReportPolicy, FailureDetail, DailyRollup, DailyFailure)
    with secondary_indexes_deferred([model._meta.db_table for model in bulk]):
        _reports_count, _policies, details = _reports(generator)
        if details < MIN_FAILURE_DETAILS:
            raise SystemExit(f"only {details:,} failure details (< {MIN_FAILURE_DETAILS:,})")
        _rollups()
    _domain_report_times(generator.last_received)
    _sequences((Domain, Report, ReportPolicy, FailureDetail))
    _execute("RESET synchronous_commit")
    progress("  " + _figures())
    step = time.perf_counter()
    connection.ensure_connection()
    connection.connection.execute("VACUUM (ANALYZE)")  # autocommit: VACUUM needs no transaction
    progress(f"  VACUUM (ANALYZE) in {time.perf_counter() - step:.1f} s")
    return Portfolio(
        token=_token(msp),
        client_slugs=[c.slug for c in clients],
        seconds=time.perf_counter() - began,
    )


def reuse() -> Portfolio | None:
    """The seeded portfolio if the database already holds it (and a fresh token), else None."""
    from accounts.models import Organization
    from reports.models import FailureDetail

    msp = Organization.objects.filter(slug=MSP_SLUG).first()
    # The token is the seeding's last step: without it the seeding did not finish.
    if msp is None or not msp.api_tokens.exists():
        return None
    if FailureDetail.objects.count() < MIN_FAILURE_DETAILS:
        return None
    slugs = list(Organization.objects.filter(managed_by=msp).order_by("id").values_list("slug"))
    return Portfolio(token=_token(msp), client_slugs=[s for (s,) in slugs], seconds=0.0)


def row_counts() -> dict[str, int]:
    """Rows per table of everything the benchmark seeded or derived."""
    from django.apps import apps

    labels = (
        "accounts.Organization", "accounts.Domain", "accounts.Tag", "accounts.ApiToken",
        "scans.ExternalAuthorization", "reports.Report", "reports.ReportPolicy",
        "reports.FailureDetail", "reports.DailyRollup", "reports.DailyFailure",
        "reports.DomainDailyTotal", "reports.OrganizationDailyTotal",
        "reports.OrganizationDailyFailure",
    )  # fmt: skip
    counts = {}
    for label in labels:
        model = apps.get_model(label)
        counts[model._meta.db_table] = _execute_scalar(
            f"SELECT count(*) FROM {model._meta.db_table}"
        )
    through = apps.get_model("accounts.Domain").tags.through._meta.db_table
    counts[through] = _execute_scalar(f"SELECT count(*) FROM {through}")
    return counts


def _execute_scalar(sql: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]
