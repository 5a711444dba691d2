"""Write paths of alerting: evaluate the rules (``notify.alert_rules``) in bulk after a scan
chunk, after an ingest batch and on a schedule, and store what opened, held or resolved.

Each entry point costs a constant number of queries whatever the number of domains: the facts
of all domains are read at once, the pure rules run in memory, and the outcome is written with
bulk statements. Critical alerts just opened are dispatched at once (``notify.dispatch``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, CharField, Exists, Max, OuterRef, Q, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.models import Domain
from core.vocabulary import Severity
from notify import alert_rules as rules
from notify import report_alert_rules as report_rules
from notify import scan_alert_rules as scan_rules
from notify.models import Alert
from reports.fastinsert import int_array
from reports.models import DailyFailure, DomainDailyTotal
from scans.models import ScanChange
from scans.signals import StoredScan

log = logging.getLogger(__name__)


@dataclass
class AlertRun:
    """What one evaluation did, for task summaries and the benchmark."""

    opened: int = 0
    resolved: int = 0
    worsened: int = 0
    held: int = 0
    critical: tuple[tuple[int, str, str], ...] = ()  # (domain id, type, key) to send now

    def __str__(self) -> str:
        return (
            f"{self.opened} opened, {self.worsened} worse, {self.held} still open, "
            f"{self.resolved} resolved"
        )


def _among(model, field: str, values, cast: str = "bigint") -> Q | RawSQL:
    """``field IN values`` as a filter. On PostgreSQL one array parameter (``= ANY``): an
    ingest batch filters on about a thousand domains, and Django's ``__in`` spent more building
    and encoding a parameter per value than the database spent answering."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": list(values)})
    column = f"{model._meta.db_table}.{model._meta.get_field(field).column}"
    literal = "{" + ",".join(map(str, values)) + "}" if cast != "bigint" else int_array(values)
    return RawSQL(f"{column} = ANY(%s::{cast}[])", [literal], output_field=BooleanField())


@dataclass(frozen=True)
class _Held:
    """An open alert as read for an evaluation: what reconcile needs, and its details."""

    open: rules.OpenAlert
    details: dict


def _open_alerts(domain_ids: Iterable[int], types: frozenset) -> list[_Held]:
    """The open alerts of these types on these domains, as plain rows (a batch reads
    hundreds: model instances cost more than the query)."""
    ids = sorted(set(domain_ids))
    if not ids:
        return []
    rows = (
        Alert.objects.filter(
            _among(Alert, "domain_id", ids), type__in=[str(t) for t in types], resolved_at=None
        )
        .order_by()
        .values_list("id", "domain_id", "type", "key", "severity", "details")
    )
    return [_Held(rules.OpenAlert(*row[:5]), row[5]) for row in rows]


def _apply(
    result: rules.Reconciled, alerts: dict[int, _Held], organizations: dict[int, int], now
) -> AlertRun:
    """Write a reconcile outcome: new rows, touched rows, resolved rows (bulk statements)."""
    new = [
        Alert(
            organization_id=organizations[c.domain_id],
            domain_id=c.domain_id,
            type=str(c.type),
            severity=str(c.severity),
            key=c.key[:255],
            group_key=c.group_key[:255],
            details=dict(c.details),
            first_seen=now,
            last_seen=now,
        )
        for c in result.opened
    ]
    # A concurrent evaluation of the same domain may have opened the same alert: the unique
    # open (domain, type, key) keeps one, and this run's copy is dropped.
    Alert.objects.bulk_create(new, ignore_conflicts=True)
    touched, changed = [], []
    for alert_id, condition in result.still_open:
        held = alerts[alert_id]
        touched.append(alert_id)
        details = dict(condition.details) if condition.opens or not held.details else None
        if held.open.severity != condition.severity or (details and details != held.details):
            changed.append(
                Alert(
                    pk=alert_id, severity=str(condition.severity), details=details or held.details
                )
            )
    # Most open alerts just hold: one statement moves their last_seen; only the few whose
    # severity or details changed are written row by row (bulk_update's CASE per row).
    if touched:
        Alert.objects.filter(pk__in=touched).update(last_seen=now)
    Alert.objects.bulk_update(changed, ["severity", "details"], batch_size=500)
    if result.resolved:
        Alert.objects.filter(pk__in=result.resolved, resolved_at=None).update(resolved_at=now)
    critical = [c.identity for c in result.opened if c.severity == Severity.CRITICAL]
    critical += [c.identity for _, c in result.worsened if c.severity == Severity.CRITICAL]
    return AlertRun(
        opened=len(new),
        resolved=len(result.resolved),
        worsened=len(result.worsened),
        held=len(touched),
        critical=tuple(critical),
    )


def _reconcile_and_apply(conditions, evaluated, open_alerts, organizations, now) -> AlertRun:
    result = rules.reconcile(conditions, [a.open for a in open_alerts], evaluated)
    if not (result.opened or result.still_open or result.resolved):
        return AlertRun()  # nothing to write: no transaction's round trips either
    with transaction.atomic():
        return _apply(result, {a.open.id: a for a in open_alerts}, organizations, now)


# --- after a scan chunk -------------------------------------------------------------------


def alerts_after_scans(*, stored: Sequence[StoredScan], now: datetime | None = None) -> AlertRun:
    """Evaluate the scan rules for one chunk's scans, from the results and changes the scan
    store had in hand (``scans.signals.StoredScan``): one query to read the open alerts, a few
    bulk statements to write, whatever the chunk size."""
    now = now or timezone.now()
    conditions, evaluated, organizations = [], {}, {}
    for scan in stored:
        changes = [
            scan_rules.ScanChangeFact(c.kind, c.subject, c.before, c.after, c.worse)
            for c in scan.changes
        ]
        facts = scan_rules.ScanFacts(scan.domain_id, scan.result, scan.previous, changes)
        found, types = scan_rules.scan_conditions(facts)
        conditions += found
        evaluated[scan.domain_id] = types
        organizations[scan.domain_id] = scan.organization_id
    if not evaluated:
        return AlertRun()
    open_alerts = _open_alerts(evaluated, rules.SCAN_TYPES)
    return _reconcile_and_apply(conditions, evaluated, open_alerts, organizations, now)


# --- after an ingest batch ----------------------------------------------------------------


def _spike_settings() -> report_rules.SpikeSettings:
    return report_rules.SpikeSettings(
        min_failed=settings.TLSMON_ALERT_SPIKE_MIN_FAILED,
        factor=settings.TLSMON_ALERT_SPIKE_FACTOR,
    )


def alerts_after_reports(
    *,
    organization_id: int,
    keys: Iterable[tuple[int, date]],
    failing: Iterable[tuple[int, date]] | None = None,
    now: datetime | None = None,
) -> AlertRun:
    """Evaluate failure spikes and new result types for the (domain id, day) pairs an ingest
    batch touched, from the daily figures it just wrote: two queries to read.

    Only domain-days with failures can open an alert (``failing``: those the batch added
    failures to; by default all of ``keys``), and only domains with an open alert can resolve
    one, so failures and history are read for the failing domains only, and open alerts for
    the touched domains only."""
    now = now or timezone.now()
    keys = set(keys)
    days_by_domain: dict[int, set[date]] = defaultdict(set)
    for domain_id, day in keys:
        days_by_domain[domain_id].add(day)
    if not days_by_domain:
        return AlertRun()
    failing_days: dict[int, set[date]] = defaultdict(set)
    for domain_id, day in keys if failing is None else failing:
        failing_days[domain_id].add(day)
    causes, seen_before, totals = _failure_history(failing_days)
    failed_domains = sorted({domain_id for domain_id, _ in causes})
    spike = _spike_settings()
    conditions = []
    for domain_id in failed_domains:
        days = failing_days[domain_id]
        for day in sorted(days):
            day_causes = causes.get((domain_id, day), {})
            failures = report_rules.DayFailures(
                domain_id, day, totals[domain_id].get(day, 0), day_causes
            )
            found = report_rules.spike_condition(failures, totals[domain_id], spike)
            conditions += [found] if found else []
        latest = max(days)
        if any(day < latest for day in totals[domain_id]):  # a first report has no "before"
            conditions += report_rules.new_result_type_conditions(
                domain_id,
                latest,
                causes.get((domain_id, latest), {}),
                seen_before[(domain_id, latest)],
            )
    open_alerts = [
        a
        for a in _open_alerts(days_by_domain, rules.REPORT_TYPES)
        # A spike alert is about one day: only a batch touching that day can clear it.
        if a.open.type != rules.AlertType.FAILURE_SPIKE
        or a.open.key in {d.isoformat() for d in days_by_domain[a.open.domain_id]}
    ]
    evaluated = dict.fromkeys(days_by_domain, rules.REPORT_TYPES)
    organizations = dict.fromkeys(days_by_domain, organization_id)
    return _reconcile_and_apply(conditions, evaluated, open_alerts, organizations, now)


def _failure_history(days_by_domain: dict[int, set[date]]) -> tuple[dict, dict, dict]:
    """One round trip (a UNION ALL) for what the rules need of these domain-days:

    - failed sessions per (result type, MX host) of each domain-day that has any, and per
      domain-day the result types the domain had already reported on an earlier day (an
      EXISTS per row on the roll-up's (domain, day, ...) key);
    - counted failures per day over the spike baseline (days with reports and no failure
      are zeros). Only domains with failures on a touched day use these rows.
    """
    causes: dict[tuple[int, date], dict[tuple[str, str], int]] = defaultdict(dict)
    seen_before: dict[tuple[int, date], set[str]] = defaultdict(set)
    totals: dict[int, dict[date, int]] = defaultdict(dict)
    if not days_by_domain:
        return causes, seen_before, totals
    all_days = {day for days in days_by_domain.values() for day in days}
    earlier = DailyFailure.objects.filter(
        domain_id=OuterRef("domain_id"),
        result_type=OuterRef("result_type"),
        day__lt=OuterRef("day"),
    )
    failures = (
        DailyFailure.objects.filter(
            _among(DailyFailure, "domain_id", sorted(days_by_domain)),
            _among(DailyFailure, "day", sorted(all_days), cast="date"),
        )
        .annotate(earlier=Exists(earlier), cause=Value(True))
        .order_by()  # SQLite allows no ORDER BY inside a compound statement
        .values_list(
            "domain_id",
            "day",
            "result_type",
            "receiving_mx_hostname",
            "failed",
            "earlier",
            "cause",
        )
    )
    first = min(all_days) - timedelta(days=_spike_settings().baseline_days)
    daily = (
        DomainDailyTotal.objects.filter(
            _among(DomainDailyTotal, "domain_id", sorted(days_by_domain)),
            day__range=(first, max(all_days)),
        )
        .annotate(
            result_type=Value("", output_field=CharField()),
            mx=Value("", output_field=CharField()),
            earlier=Value(False),
            cause=Value(False),
        )
        .order_by()
        .values_list("domain_id", "day", "result_type", "mx", "failed", "earlier", "cause")
    )
    for domain_id, day, result_type, mx_host, failed, known, cause in failures.union(
        daily, all=True
    ):
        if not cause:
            totals[domain_id][day] = failed
        elif day in days_by_domain.get(domain_id, ()):
            day_causes = causes[(domain_id, day)]
            day_causes[(result_type, mx_host)] = day_causes.get((result_type, mx_host), 0) + failed
            if known:
                seen_before[(domain_id, day)].add(result_type)
    return causes, seen_before, totals


# --- on a schedule: silence ---------------------------------------------------------------


def alerts_for_silence(*, now: datetime | None = None, batch: int = 5000) -> AlertRun:
    """Reports stopped / no first report, for every tenant's domains that publish a usable
    record (or still have such an alert open). Deliberately cross-tenant (a beat job); reads
    in batches of ``batch`` domains, a constant number of queries each."""
    now = now or timezone.now()
    silence = report_rules.SilenceSettings(
        stopped_days=settings.TLSMON_REPORTS_SILENT_DAYS,
        first_report_days=settings.TLSMON_ALERT_FIRST_REPORT_DAYS,
    )
    with_alert = Alert.objects.filter(
        domain=OuterRef("pk"), type__in=[str(t) for t in rules.SILENCE_TYPES], resolved_at=None
    )
    candidates = (
        Domain.objects.all_tenants()
        .filter(Q(is_active=True, scan_verdict__in=["pass", "warn"]) | Exists(with_alert))
        .order_by("pk")
    )
    total, last_pk = AlertRun(), 0
    while True:
        domains = list(
            candidates.filter(pk__gt=last_pk).values_list(
                "pk", "organization_id", "is_active", "scan_verdict", "last_report_at", "added_at"
            )[:batch]
        )
        if not domains:
            return total
        last_pk = domains[-1][0]
        run = _silence_batch(domains, now, silence)
        total.opened += run.opened
        total.resolved += run.resolved
        total.held += run.held


def _silence_batch(domains: list[tuple], now: datetime, silence) -> AlertRun:
    ids = [row[0] for row in domains]
    published = dict(
        ScanChange.objects.filter(domain_id__in=ids, kind="record_added", subject="smtp_tls")
        .values_list("domain_id")
        .annotate(at=Max("created_at"))
        .order_by()
    )
    conditions = []
    for domain_id, _, active, verdict, last_report_at, added_at in domains:
        facts = report_rules.SilenceFacts(
            domain_id,
            last_report_at,
            published.get(domain_id, added_at),
            has_record=active and verdict in {"pass", "warn"},
        )
        conditions += report_rules.silence_conditions(facts, now, silence)
    evaluated = dict.fromkeys(ids, rules.SILENCE_TYPES)
    organizations = {row[0]: row[1] for row in domains}
    open_alerts = _open_alerts(ids, rules.SILENCE_TYPES)
    return _reconcile_and_apply(conditions, evaluated, open_alerts, organizations, now)


# --- people ----------------------------------------------------------------------------------


def alert_acknowledge(*, alert: Alert, user, now: datetime | None = None) -> Alert:
    """Mark an alert seen by ``user``: it is not sent again (unless it gets worse) and stays
    listed until its condition clears. Acknowledging twice keeps the first person and time."""
    if alert.acknowledged_at is None:
        alert.acknowledged_by, alert.acknowledged_at = user, now or timezone.now()
        alert.save(update_fields=["acknowledged_by", "acknowledged_at"])
    return alert
