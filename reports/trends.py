"""Failure trends: sessions per day over a period for a set of domains or organizations,
optionally split into the top N groups plus "other". Read from the derived figures
(``reports.models.figures``) and, for one domain or a tag split by reporter or failure, from the
daily roll-ups through the counting rules (``reports.counting``); never from reports or their
failure details. Every read is narrowed to the caller's ``Scope`` here.

Organization-wide questions read the organization-day tables (organizations x days x reporters
rows), questions about chosen domains (one domain, a tag) the domain-day tables. Grouping by
result type or receiving MX host splits *failed* sessions as the failure details tell them;
details may overlap or not add up to the summary (RFC 8460 section 4), so such groups carry no
successful count and the rest of the details lands in "other".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import QuerySet

from accounts.models import Domain, Organization
from accounts.scoping import Scope, scope_to_org
from reports.counting import counted_failures, counted_rollups
from reports.models import figures as derived
from reports.sql import as_date, day_param, table_name

OTHER = "other"


class GroupBy(StrEnum):
    RESULT_TYPE = "result_type"
    RECEIVING_MX = "receiving_mx"
    REPORTER = "reporter"
    DOMAIN = "domain"
    ORGANIZATION = "organization"  # an MSP's clients (and itself), each with its own series


class Interval(StrEnum):
    DAY = "day"
    WEEK = "week"


FAILURE_GROUPS = (GroupBy.RESULT_TYPE, GroupBy.RECEIVING_MX)


@dataclass
class Point:
    period: date
    successful: int | None = 0
    failed: int = 0

    @property
    def sessions(self) -> int | None:
        return None if self.successful is None else self.successful + self.failed

    @property
    def failure_rate(self) -> float | None:
        sessions = self.sessions
        return self.failed / sessions if sessions else None


@dataclass
class Group:
    key: str
    label: str
    points: list[Point] = field(default_factory=list)

    @property
    def total(self) -> Point:
        return _sum_points(self.points, None)


@dataclass
class Trend:
    start: date
    end: date
    interval: Interval
    group_by: GroupBy | None
    points: list[Point]
    groups: list[Group]

    @property
    def total(self) -> Point:
        return _sum_points(self.points, None)


def _sum_points(points: list[Point], period: date | None) -> Point:
    successful = None if any(p.successful is None for p in points) else 0
    total = Point(period or (points[0].period if points else date.min), successful, 0)
    for p in points:
        total.failed += p.failed
        if total.successful is not None:
            total.successful += p.successful or 0
    return total


@dataclass(frozen=True)
class _Source:
    """One table and the SQL that narrows it to the trend's domains or organizations."""

    table: str
    where: str
    params: list
    key: str = "''"
    successful: str = "successful"
    failed: str = "failed"
    day_totals: _Source | None = None  # where this source's per-day sums are cheaper to read


class _DayRow(NamedTuple):
    """One group's (or the total's, with key "") sums on one day."""

    day: date
    key: Any
    successful: int
    failed: int


def _target(
    scope: Scope, organization: Organization | None, domain_id: int | None, tag: str | None
) -> tuple[str, QuerySet]:
    """("domain_id", the domains) for one domain or a tag, else ("organization_id", the
    organizations), both narrowed to ``scope`` here. Raises ``Domain.DoesNotExist`` for a
    ``domain_id`` outside the scope (or outside ``organization``)."""
    if domain_id is None and tag is None:
        organizations = scope_to_org(Organization.objects.all(), scope)
        if organization is not None:
            organizations = organizations.filter(pk=organization.pk)
        return "organization_id", organizations
    domains = scope_to_org(Domain.objects.all(), scope)
    if organization is not None:
        domains = domains.filter(organization=organization)
    if domain_id is not None:
        domains = domains.filter(pk=domain_id)
        if not domains.exists():
            raise Domain.DoesNotExist(f"no domain {domain_id} in this scope")
        return "domain_id", domains
    return "domain_id", domains.filter(tags__name=tag)


def _sources(
    *, column: str, ids: QuerySet, group_by: GroupBy | None, start: date, end: date
) -> tuple[_Source, _Source | None]:
    """(totals source, group source) for domain-level or organization-level questions."""
    by_domain = column == "domain_id"
    inner_days, inner_params = "day BETWEEN %s AND %s", [day_param(start), day_param(end)]
    ids_sql, ids_params = ids.values("pk").query.sql_with_params()
    where, params = f"{column} IN ({ids_sql})", list(ids_params)
    totals = _Source(
        table_name(derived.DomainDailyTotal if by_domain else derived.OrganizationDailyTotal),
        where,
        params,
    )
    if group_by is None:
        return totals, None
    if group_by == GroupBy.DOMAIN:
        return totals, _Source(table_name(derived.DomainDailyTotal), where, params, key="domain_id")
    if group_by == GroupBy.ORGANIZATION:
        return totals, _Source(totals.table, where, params, key="organization_id")
    if group_by == GroupBy.REPORTER:
        if not by_domain:
            return totals, _Source(totals.table, where, params, key="organization_name")
        counted = f"{counted_rollups(f'{where} AND {inner_days}')} counted"
        return totals, _Source(counted, "1 = 1", [*params, *inner_params], key="organization_name")
    key = "result_type" if group_by == GroupBy.RESULT_TYPE else "receiving_mx_hostname"
    if not by_domain:
        # Result types (and any per-day failure total) read the table without the MX grain:
        # a fraction of the rows.
        results = _Source(table_name(derived.OrganizationDailyResult), where, params, key, "0")
        if group_by == GroupBy.RESULT_TYPE:
            return totals, results
        mx_table = table_name(derived.OrganizationDailyFailure)
        return totals, _Source(mx_table, where, params, key, "0", day_totals=results)
    counted = f"{counted_failures(f'{where} AND {inner_days}')} counted"
    return totals, _Source(counted, "1 = 1", [*params, *inner_params], key, "0")


def _day_sums(source: _Source, start: date, end: date) -> list[_DayRow]:
    """The source's sums per day of the period (key "")."""
    sql = (
        f"SELECT day, '', SUM({source.successful}), SUM({source.failed}) "
        f"FROM {source.table} WHERE {source.where} AND day BETWEEN %s AND %s GROUP BY day"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*source.params, day_param(start), day_param(end)])
        return [
            _DayRow(as_date(d), k, int(s or 0), int(f or 0)) for d, k, s, f in cursor.fetchall()
        ]


def _top_rows(source: _Source, start: date, end: date, top: int) -> tuple[list, list[_DayRow]]:
    """The ``top`` keys by failed (then all) sessions, and their rows per day.

    Two statements on purpose: ranking groups by key only (a few thousand MX hosts or domains)
    and the per-day read is narrowed to the chosen keys; one statement that ranked from per-day
    sums had to build a group per (day, key) first, several times slower on 90 days.
    """
    period = [*source.params, day_param(start), day_param(end)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {source.key} FROM {source.table} WHERE {source.where} "
            f"AND day BETWEEN %s AND %s GROUP BY {source.key} ORDER BY SUM({source.failed}) "
            f"DESC, SUM({source.successful}) DESC, {source.key} LIMIT %s",
            [*period, top],
        )
        keys = [key for (key,) in cursor.fetchall()]
        if not keys:
            return [], []
        cursor.execute(
            f"SELECT day, {source.key}, SUM({source.successful}), SUM({source.failed}) "
            f"FROM {source.table} WHERE {source.where} AND day BETWEEN %s AND %s "
            f"AND {source.key} IN ({', '.join(['%s'] * len(keys))}) GROUP BY day, {source.key}",
            [*period, *keys],
        )
        rows = [
            _DayRow(as_date(d), k, int(s or 0), int(f or 0)) for d, k, s, f in cursor.fetchall()
        ]
    return keys, rows


def _period(day: date, interval: Interval) -> date:
    return day - timedelta(days=day.weekday()) if interval == Interval.WEEK else day


def _periods(start: date, end: date, interval: Interval) -> list[date]:
    step = timedelta(days=7 if interval == Interval.WEEK else 1)
    first, periods = _period(start, interval), []
    while first <= end:
        periods.append(first)
        first += step
    return periods


def _series(
    rows: list[_DayRow], periods: list[date], interval: Interval, *, failures_only: bool
) -> list[Point]:
    points = {p: Point(p, None if failures_only else 0, 0) for p in periods}
    for row in rows:
        point = points[_period(row.day, interval)]
        point.failed += row.failed
        if not failures_only:
            point.successful += row.successful
    return list(points.values())


def trend(
    *,
    scope: Scope,
    start: date,
    end: date,
    interval: Interval = Interval.DAY,
    group_by: GroupBy | None = None,
    top: int = 5,
    organization: Organization | None = None,
    domain_id: int | None = None,
    tag: str | None = None,
) -> Trend:
    """Sessions per period for one domain (``domain_id``), a ``tag``'s domains, or else every
    organization ``scope`` reaches; ``organization`` narrows to one of them. The scope is
    applied here, to every read (``accounts.scoping``); a ``domain_id`` outside it raises
    ``Domain.DoesNotExist``. Periods without reports are zeros, so a chart has no holes; weeks
    start on Monday."""
    column, ids = _target(scope, organization, domain_id, tag)
    totals, grouped = _sources(column=column, ids=ids, group_by=group_by, start=start, end=end)
    periods = _periods(start, end, interval)
    points = _series(_day_sums(totals, start, end), periods, interval, failures_only=False)
    groups: list[Group] = []
    if grouped is not None:
        groups = _groups(
            scope, grouped, group_by, top, points, start=start, end=end, interval=interval
        )
    return Trend(start, end, interval, group_by, points, groups)


def _groups(
    scope: Scope,
    source: _Source,
    group_by: GroupBy,
    top: int,
    points: list[Point],
    *,
    start: date,
    end: date,
    interval: Interval,
) -> list[Group]:
    """The top ``top`` groups' series, then "other" for the rest of ``points`` (if not empty)."""
    periods = [point.period for point in points]
    failures_only = group_by in FAILURE_GROUPS
    keys, rows = _top_rows(source, start, end, top)
    by_key = defaultdict(list)
    for row in rows:
        by_key[row.key].append(row)
    labels = _labels(scope, keys, group_by)
    groups = [
        Group(str(k), labels[k], _series(by_key[k], periods, interval, failures_only=failures_only))
        for k in keys
    ]
    everything = points
    if failures_only:
        day_sums = _day_sums(source.day_totals or source, start, end)
        everything = _series(day_sums, periods, interval, failures_only=True)
    other = _other(everything, groups, failures_only=failures_only)
    if any(p.failed or p.successful for p in other):
        groups.append(Group(OTHER, "everything else", other))
    return groups


def _labels(scope: Scope, keys: list, group_by: GroupBy | None) -> dict:
    if group_by == GroupBy.ORGANIZATION:
        organizations = scope_to_org(Organization.objects.all(), scope).filter(pk__in=keys)
        names = dict(organizations.values_list("pk", "name"))
        return {k: names.get(k, str(k)) for k in keys}
    if group_by != GroupBy.DOMAIN:
        return {k: str(k) or "(none reported)" for k in keys}
    domains = scope_to_org(Domain.objects.all(), scope).filter(pk__in=keys)
    names = dict(domains.values_list("pk", "name"))
    return {k: names.get(k, str(k)) for k in keys}


def _other(all_points: list[Point], groups: list[Group], *, failures_only: bool) -> list[Point]:
    other = []
    for index, point in enumerate(all_points):
        failed = point.failed - sum(g.points[index].failed for g in groups)
        successful = None
        if not failures_only:
            successful = point.successful - sum(g.points[index].successful for g in groups)
        other.append(Point(point.period, successful, max(failed, 0)))
    return other
