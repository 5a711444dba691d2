"""The alert rules read after an ingest batch and on a schedule (pure: no Django, no I/O;
``now`` is a parameter): failure spike, a result type never seen before, reports stopped, no
first report. Inputs are the daily figures (``reports``) and ``last_report_at``."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from core.vocabulary import Severity
from notify.alert_rules import AlertType, Condition


@dataclass(frozen=True)
class SpikeSettings:
    min_failed: int = 10
    factor: float = 3.0
    baseline_days: int = 14


@dataclass(frozen=True)
class DayFailures:
    """One domain-day: counted failed sessions, and failed sessions per (result type, MX)."""

    domain_id: int
    day: date
    failed: int
    by_cause: Mapping[tuple[str, str], int] = field(default_factory=dict)


def spike_condition(
    today: DayFailures, history: Mapping[date, int], settings: SpikeSettings
) -> Condition | None:
    """Failed sessions of a day at least ``min_failed`` and at least ``factor`` times the
    median of the domain's own previous ``baseline_days`` days. Days without reports are not
    zeros (nobody said nothing failed); with no history the median is 0. One alert per
    domain-day (key: day), grouped by the MX host with most failures that day."""
    baseline = [
        history[day]
        for n in range(1, settings.baseline_days + 1)
        if (day := today.day - timedelta(days=n)) in history
    ]
    median = statistics.median(baseline) if baseline else 0
    if today.failed < settings.min_failed or today.failed < settings.factor * median:
        return None
    cause = max(today.by_cause.items(), key=lambda kv: (kv[1], kv[0]), default=(("", ""), 0))
    (result_type, mx_host), _ = cause
    details = {
        "day": today.day.isoformat(),
        "failed": today.failed,
        "median": median,
        "result_type": result_type,
        "mx_host": mx_host,
    }
    # Critical (sent at once) only against a real baseline: ten times a non-zero median.
    critical = median > 0 and today.failed >= 10 * median
    severity = Severity.CRITICAL if critical else Severity.WARNING
    return Condition(
        today.domain_id,
        AlertType.FAILURE_SPIKE,
        today.day.isoformat(),
        severity,
        True,
        f"mx:{mx_host}" if mx_host else "",
        details,
    )


def new_result_type_conditions(
    domain_id: int, day: date, day_causes: Mapping[tuple[str, str], int], seen_before: set[str]
) -> list[Condition]:
    """A result type this domain never reported before ``day`` opens an alert; it stays open
    while later batches still report that type, and resolves with the first batch that
    does not."""
    by_type: dict[str, tuple[str, int]] = {}
    for (result_type, mx_host), failed in sorted(day_causes.items()):
        if failed > 0 and failed > by_type.get(result_type, ("", -1))[1]:
            by_type[result_type] = (mx_host, failed)
    return [
        Condition(
            domain_id,
            AlertType.NEW_RESULT_TYPE,
            result_type,
            Severity.WARNING,
            result_type not in seen_before,
            f"mx:{mx_host}" if mx_host else "",
            {
                "result_type": result_type,
                "day": day.isoformat(),
                "mx_host": mx_host,
                "failed": failed,
            },
        )
        for result_type, (mx_host, failed) in by_type.items()
    ]


# --- on a schedule: silence ---------------------------------------------------------------


@dataclass(frozen=True)
class SilenceFacts:
    domain_id: int
    last_report_at: datetime | None
    record_published_at: datetime | None  # first scan that saw a usable TLS-RPT record
    has_record: bool  # the latest scan sees a usable record


@dataclass(frozen=True)
class SilenceSettings:
    stopped_days: int = 3
    first_report_days: int = 4


def silence_conditions(facts: SilenceFacts, now: datetime, settings: SilenceSettings) -> list:
    """Reports stopped (received before, none for ``stopped_days``) or never came (record
    published ``first_report_days`` ago, no report since). Without a record no report is
    expected, so neither holds."""
    if not facts.has_record:
        return []
    if facts.last_report_at is not None:
        silent = now - facts.last_report_at
        if silent < timedelta(days=settings.stopped_days):
            return []
        details = {"last_report_at": facts.last_report_at.isoformat(), "days": silent.days}
        return [
            Condition(
                facts.domain_id, AlertType.REPORTS_STOPPED, "", Severity.WARNING, True, "", details
            )
        ]
    published = facts.record_published_at
    if published is None or now - published < timedelta(days=settings.first_report_days):
        return []
    details = {"published_at": published.isoformat()}
    return [
        Condition(
            facts.domain_id, AlertType.NO_FIRST_REPORT, "", Severity.WARNING, True, "", details
        )
    ]
