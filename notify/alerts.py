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
from django.db import transaction
from django.db.models import Exists, Max, Min, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from accounts.models import Domain
from core.vocabulary import Severity
from notify import alert_rules as rules
from notify.models import Alert
from reports.models import DailyFailure, DomainDailyTotal
from scans.models import Scan, ScanChange, ScanStatus

log = logging.getLogger(__name__)


@dataclass
class AlertRun:
    """What one evaluation did, for task summaries and the benchmark."""

    opened: int = 0
    resolved: int = 0
    worsened: int = 0
    held: int = 0
    critical_ids: tuple[int, ...] = ()

    def __str__(self) -> str:
        return (
            f"{self.opened} opened, {self.worsened} worse, {self.held} still open, "
            f"{self.resolved} resolved"
        )


def _open_alerts(domain_ids: Iterable[int], types: frozenset) -> list[Alert]:
    return list(
        Alert.objects.filter(
            domain_id__in=list(domain_ids), type__in=[str(t) for t in types], resolved_at=None
        ).only("id", "domain_id", "type", "key", "severity", "details")
    )


def _as_open(alert: Alert) -> rules.OpenAlert:
    return rules.OpenAlert(alert.pk, alert.domain_id, alert.type, alert.key, alert.severity)


@transaction.atomic
def _apply(
    result: rules.Reconciled, alerts: dict[int, Alert], organizations: dict[int, int], now
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
    Alert.objects.bulk_create(new)
    touched = []
    for alert_id, condition in result.still_open:
        alert = alerts[alert_id]
        alert.last_seen, alert.severity = now, str(condition.severity)
        if condition.opens or not alert.details:
            alert.details = dict(condition.details)
        touched.append(alert)
    Alert.objects.bulk_update(touched, ["last_seen", "severity", "details"], batch_size=500)
    if result.resolved:
        Alert.objects.filter(pk__in=result.resolved, resolved_at=None).update(resolved_at=now)
    critical = [a.pk for a in new if a.severity == Severity.CRITICAL]
    critical += [i for i, c in result.worsened if c.severity == Severity.CRITICAL]
    return AlertRun(
        opened=len(new),
        resolved=len(result.resolved),
        worsened=len(result.worsened),
        held=len(touched),
        critical_ids=tuple(critical),
    )


def _reconcile_and_apply(conditions, evaluated, open_alerts, organizations, now) -> AlertRun:
    result = rules.reconcile(conditions, [_as_open(a) for a in open_alerts], evaluated)
    return _apply(result, {a.pk: a for a in open_alerts}, organizations, now)


# --- after a scan chunk -------------------------------------------------------------------


def alerts_after_scans(*, scan_ids: Sequence[int], now: datetime | None = None) -> AlertRun:
    """Evaluate the scan rules for the domains of these scans (one chunk): five queries
    to read, a few bulk statements to write, whatever the chunk size."""
    now = now or timezone.now()
    previous = Scan.objects.filter(
        domain_id=OuterRef("domain_id"), status=ScanStatus.DONE, pk__lt=OuterRef("pk")
    ).order_by("-finished_at", "-id")
    scans = list(
        Scan.objects.filter(pk__in=list(scan_ids), status=ScanStatus.DONE)
        .annotate(previous_id=Subquery(previous.values("pk")[:1]))
        .values_list("pk", "domain_id", "domain__organization_id", "result", "previous_id")
    )
    if not scans:
        return AlertRun()
    before = dict(
        Scan.objects.filter(pk__in=[row[4] for row in scans if row[4]]).values_list("pk", "result")
    )
    changes: dict[int, list[rules.ScanChangeFact]] = defaultdict(list)
    for scan_id, kind, subject, old, new, worse in ScanChange.objects.filter(
        scan_id__in=[row[0] for row in scans]
    ).values_list("scan_id", "kind", "subject", "before", "after", "worse"):
        changes[scan_id].append(rules.ScanChangeFact(kind, subject, old, new, worse))
    conditions, evaluated, organizations = [], {}, {}
    for scan_id, domain_id, organization_id, result, previous_id in scans:
        facts = rules.ScanFacts(domain_id, result, before.get(previous_id), changes[scan_id])
        found, types = rules.scan_conditions(facts)
        conditions += found
        evaluated[domain_id] = types
        organizations[domain_id] = organization_id
    open_alerts = _open_alerts(evaluated, rules.SCAN_TYPES)
    return _reconcile_and_apply(conditions, evaluated, open_alerts, organizations, now)


# --- after an ingest batch ----------------------------------------------------------------


def _spike_settings() -> rules.SpikeSettings:
    return rules.SpikeSettings(
        min_failed=settings.TLSMON_ALERT_SPIKE_MIN_FAILED,
        factor=settings.TLSMON_ALERT_SPIKE_FACTOR,
    )


def alerts_after_reports(
    *, organization_id: int, keys: Iterable[tuple[int, date]], now: datetime | None = None
) -> AlertRun:
    """Evaluate failure spikes and new result types for the (domain id, day) pairs an ingest
    batch touched, from the daily figures it just wrote: four queries to read."""
    now = now or timezone.now()
    days_by_domain: dict[int, set[date]] = defaultdict(set)
    for domain_id, day in keys:
        days_by_domain[domain_id].add(day)
    if not days_by_domain:
        return AlertRun()
    spike = _spike_settings()
    all_days = {day for days in days_by_domain.values() for day in days}
    first, last = min(all_days) - timedelta(days=spike.baseline_days), max(all_days)
    totals: dict[int, dict[date, int]] = defaultdict(dict)
    for domain_id, day, failed in DomainDailyTotal.objects.filter(
        domain_id__in=list(days_by_domain), day__range=(first, last)
    ).values_list("domain_id", "day", "failed"):
        totals[domain_id][day] = failed
    causes: dict[tuple[int, date], dict[tuple[str, str], int]] = defaultdict(dict)
    for domain_id, day, result_type, mx_host, failed in (
        DailyFailure.objects.filter(domain_id__in=list(days_by_domain), day__in=all_days)
        .values_list("domain_id", "day", "result_type", "receiving_mx_hostname")
        .annotate(n=Sum("failed"))
        .order_by()
    ):
        if day in days_by_domain[domain_id]:
            causes[(domain_id, day)][(result_type, mx_host)] = failed
    first_seen: dict[int, dict[str, date]] = defaultdict(dict)
    for row in (
        DailyFailure.objects.filter(domain_id__in=list(days_by_domain))
        .values("domain_id", "result_type")
        .annotate(first=Min("day"))
        .order_by()
    ):
        first_seen[row["domain_id"]][row["result_type"]] = row["first"]
    conditions = []
    for domain_id, days in days_by_domain.items():
        for day in sorted(days):
            day_causes = causes.get((domain_id, day), {})
            failures = rules.DayFailures(domain_id, day, totals[domain_id].get(day, 0), day_causes)
            found = rules.spike_condition(failures, totals[domain_id], spike)
            conditions += [found] if found else []
        latest = max(days)
        if any(day < latest for day in totals[domain_id]):  # a first report has no "before"
            seen = {t for t, first_day in first_seen[domain_id].items() if first_day < latest}
            conditions += rules.new_result_type_conditions(
                domain_id, latest, causes.get((domain_id, latest), {}), seen
            )
    open_alerts = [
        a
        for a in _open_alerts(days_by_domain, rules.REPORT_TYPES)
        # A spike alert is about one day: only a batch touching that day can clear it.
        if a.type != rules.AlertType.FAILURE_SPIKE
        or a.key in {d.isoformat() for d in days_by_domain[a.domain_id]}
    ]
    evaluated = dict.fromkeys(days_by_domain, rules.REPORT_TYPES)
    organizations = dict.fromkeys(days_by_domain, organization_id)
    return _reconcile_and_apply(conditions, evaluated, open_alerts, organizations, now)


# --- on a schedule: silence ---------------------------------------------------------------


def alerts_for_silence(*, now: datetime | None = None, batch: int = 5000) -> AlertRun:
    """Reports stopped / no first report, for every tenant's domains that publish a usable
    record (or still have such an alert open). Deliberately cross-tenant (a beat job); reads
    in batches of ``batch`` domains, a constant number of queries each."""
    now = now or timezone.now()
    silence = rules.SilenceSettings(
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
        facts = rules.SilenceFacts(
            domain_id,
            last_report_at,
            published.get(domain_id, added_at),
            has_record=active and verdict in {"pass", "warn"},
        )
        conditions += rules.silence_conditions(facts, now, silence)
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
