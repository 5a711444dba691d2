"""Which alerts open, stay open or resolve (pure: no Django, no I/O; ``now`` is a parameter).

Every rule yields ``Condition``s for the domains it looked at: a condition that ``opens`` may
open a new alert (something just got worse); one that does not only keeps an open alert open
(the bad state still holds). ``reconcile`` compares them with the open alerts of the domains
and types that were evaluated: a condition with an open alert touches it (and raises its
severity if worse), an opening one without opens it, and an open alert whose condition no
longer holds is resolved. Rules read stored facts only: scan results and their changes
(``scans.changes``), daily totals and failures (``reports``), ``last_report_at``.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from core.vocabulary import LabelledEnum, Severity


class AlertType(LabelledEnum):
    RECORD_REMOVED = "record_removed", "Record removed"
    RECORD_INVALID = "record_invalid", "TLS-RPT record became invalid"
    VERDICT_WORSE = "verdict_worse", "Verdict got worse"
    EXTERNAL_UNAUTHORIZED = "external_unauthorized", "External destination lost its authorization"
    MTA_STS_UNFETCHABLE = "mta_sts_unfetchable", "MTA-STS policy no longer fetchable"
    MTA_STS_MODE_CHANGED = "mta_sts_mode_changed", "MTA-STS mode downgraded"
    MTA_STS_MX_NOT_COVERED = "mta_sts_mx_not_covered", "MTA-STS policy no longer covers the MX"
    FAILURE_SPIKE = "failure_spike", "Failure spike"
    NEW_RESULT_TYPE = "new_result_type", "Failure type never seen before"
    REPORTS_STOPPED = "reports_stopped", "Reports stopped arriving"
    NO_FIRST_REPORT = "no_first_report", "No report since the record was published"


SCAN_TYPES = frozenset(
    {
        AlertType.RECORD_REMOVED,
        AlertType.RECORD_INVALID,
        AlertType.VERDICT_WORSE,
        AlertType.EXTERNAL_UNAUTHORIZED,
        AlertType.MTA_STS_UNFETCHABLE,
        AlertType.MTA_STS_MODE_CHANGED,
        AlertType.MTA_STS_MX_NOT_COVERED,
    }
)
REPORT_TYPES = frozenset({AlertType.FAILURE_SPIKE, AlertType.NEW_RESULT_TYPE})
SILENCE_TYPES = frozenset({AlertType.REPORTS_STOPPED, AlertType.NO_FIRST_REPORT})


def type_label(value: str) -> str:
    """The human label of an alert type (the code itself if it is unknown)."""
    try:
        return AlertType(value).label
    except ValueError:
        return value


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}
_BAD_VERDICTS = {"warn", "fail"}
_AUTHORIZED = {"authorized", "wildcard_authorized"}
_POLICY_MODES = {"enforce", "testing", "none"}
_FETCH_FAILED = {"mta_sts_policy_fetch_failed", "mta_sts_redirect"}
_CRITICAL_RECORDS = {"smtp_tls", "mx"}
# The published records whose removal is an alert (``scans.changes`` also diffs derived
# values such as the selected record and lookup outcomes, which are not records).
_RECORDS = {"smtp_tls", "mta_sts", "mx"}


@dataclass(frozen=True)
class Condition:
    """A bad state of one domain, now. ``group_key`` names the shared cause (an MX host, an
    MTA-STS host) that lets one notification cover many domains (``notify.grouping``)."""

    domain_id: int
    type: AlertType
    key: str
    severity: Severity
    opens: bool
    group_key: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def identity(self) -> tuple[int, str, str]:
        return (self.domain_id, str(self.type), self.key)


@dataclass(frozen=True)
class OpenAlert:
    id: int
    domain_id: int
    type: str
    key: str
    severity: str


@dataclass(frozen=True)
class Reconciled:
    opened: list[Condition] = field(default_factory=list)
    still_open: list[tuple[int, Condition]] = field(default_factory=list)  # (alert id, now)
    worsened: list[tuple[int, Condition]] = field(default_factory=list)  # severity went up
    resolved: list[int] = field(default_factory=list)


def reconcile(
    conditions: Iterable[Condition],
    open_alerts: Iterable[OpenAlert],
    evaluated: Mapping[int, frozenset[AlertType]],
) -> Reconciled:
    """Decide per condition and per open alert; ``evaluated`` maps each domain looked at to
    the alert types whose facts were read (an alert of another type is left alone)."""
    result = Reconciled()
    by_identity = {(a.domain_id, a.type, a.key): a for a in open_alerts}
    held: set[tuple[int, str, str]] = set()
    for condition in conditions:
        if condition.identity in held:
            continue
        alert = by_identity.get(condition.identity)
        if alert is not None:
            held.add(condition.identity)
            result.still_open.append((alert.id, condition))
            if SEVERITY_RANK[condition.severity] > SEVERITY_RANK[Severity(alert.severity)]:
                result.worsened.append((alert.id, condition))
        elif condition.opens:
            held.add(condition.identity)
            result.opened.append(condition)
    for identity, alert in by_identity.items():
        if identity not in held and alert.type in evaluated.get(alert.domain_id, frozenset()):
            result.resolved.append(alert.id)
    return result


# --- after a scan -------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanChangeFact:
    kind: str
    subject: str
    before: str
    after: str
    worse: bool


@dataclass(frozen=True)
class ScanFacts:
    """One domain's new scan result, the one before it (``None``: first scan) and the
    ``ScanChange`` rows stored with the new one."""

    domain_id: int
    current: Mapping[str, Any]
    previous: Mapping[str, Any] | None
    changes: Sequence[ScanChangeFact] = ()


def _codes(findings: Iterable[Mapping[str, Any]] | None) -> set[str]:
    return {f.get("code", "") for f in findings or ()}


def _mx_group(result: Mapping[str, Any]) -> str:
    hosts = sorted((result.get("mx") or {}).get("hosts") or [])
    return f"mx:{hosts[0]}" if hosts else ""


def _sts_group(domain: str, sts: Mapping[str, Any]) -> str:
    served_by = ((sts.get("fetch") or {}).get("served_by") or "").lower()
    return f"mta-sts:{served_by or 'mta-sts.' + domain}"


def scan_conditions(facts: ScanFacts) -> tuple[list[Condition], frozenset[AlertType]]:
    """The scan rules for one domain, and the types they decided. A scan that could not tell
    (verdict ``error``) decides nothing: a DNS outage neither opens nor resolves an alert."""
    current, previous = facts.current, facts.previous
    if current.get("verdict") == "error":
        return [], frozenset()
    comparable = previous is not None and previous.get("verdict") != "error"
    conditions = _record_conditions(facts, comparable) + _external_conditions(facts, comparable)
    # The verdict moves with the TLS-RPT record and its destinations (never with MTA-STS):
    # when one of those opened an alert, it is the cause, and the verdict alert would repeat it.
    cause_found = any(c.opens for c in conditions)
    conditions += _verdict_conditions(facts, skip_opening=cause_found)
    conditions += _mta_sts_conditions(facts, comparable)
    return conditions, SCAN_TYPES


def _record_conditions(facts: ScanFacts, comparable: bool) -> list[Condition]:
    current, previous = facts.current, facts.previous or {}
    group = _mx_group(current) or _mx_group(previous)
    out = []
    for change in facts.changes:
        if change.kind == "record_removed" and change.subject in _RECORDS:
            severity = (
                Severity.CRITICAL if change.subject in _CRITICAL_RECORDS else Severity.WARNING
            )
            details = {"record": change.subject, "before": change.before}
            out.append(
                Condition(
                    facts.domain_id,
                    AlertType.RECORD_REMOVED,
                    change.subject,
                    severity,
                    True,
                    group,
                    details,
                )
            )
    records = dict(current.get("records") or {})
    records["mx"] = (current.get("mx") or {}).get("hosts")
    for subject, value in records.items():
        if subject in _RECORDS and not value:
            severity = Severity.CRITICAL if subject in _CRITICAL_RECORDS else Severity.WARNING
            out.append(
                Condition(
                    facts.domain_id, AlertType.RECORD_REMOVED, subject, severity, False, group
                )
            )
    if "broken_record" in (current.get("gaps") or []):
        newly = comparable and "broken_record" not in (previous.get("gaps") or [])
        details = {"findings": sorted(_codes(current.get("findings")))}
        out.append(
            Condition(
                facts.domain_id,
                AlertType.RECORD_INVALID,
                "smtp_tls",
                Severity.CRITICAL,
                newly,
                group,
                details,
            )
        )
    return out


def _verdict_conditions(facts: ScanFacts, *, skip_opening: bool) -> list[Condition]:
    """Verdict got worse; not opened when a more specific cause (record removed or invalid, a
    destination unauthorized) opened in the same scan, so one cause is one alert."""
    verdict = facts.current.get("verdict", "")
    if verdict not in _BAD_VERDICTS:
        return []
    severity = Severity.CRITICAL if verdict == "fail" else Severity.WARNING
    worse = next((c for c in facts.changes if c.kind == "verdict_changed" and c.worse), None)
    details = {"before": worse.before, "after": worse.after} if worse else {"after": verdict}
    opens = worse is not None and not skip_opening
    group = _mx_group(facts.current)
    return [
        Condition(
            facts.domain_id, AlertType.VERDICT_WORSE, "verdict", severity, opens, group, details
        )
    ]


def _authorizations(result: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    return {row["rua_host"]: row for row in (result or {}).get("external_authorizations") or []}


def _external_conditions(facts: ScanFacts, comparable: bool) -> list[Condition]:
    before = _authorizations(facts.previous) if comparable else {}
    out = []
    for host, row in _authorizations(facts.current).items():
        if row.get("status") != "missing":
            continue
        opens = before.get(host, {}).get("status") in _AUTHORIZED
        severity = Severity.CRITICAL if row.get("is_tlsmon") else Severity.WARNING
        details = {"rua_host": host, "record_name": row.get("record_name", "")}
        out.append(
            Condition(
                facts.domain_id,
                AlertType.EXTERNAL_UNAUTHORIZED,
                host,
                severity,
                opens,
                f"rua:{host}",
                details,
            )
        )
    return out


def _mta_sts_conditions(facts: ScanFacts, comparable: bool) -> list[Condition]:
    sts = facts.current.get("mta_sts") or {}
    before = (facts.previous or {}).get("mta_sts") or {} if comparable else {}
    domain = facts.current.get("domain", "")
    group = _sts_group(domain, sts if sts.get("fetch") else before)
    codes, before_codes = _codes(sts.get("findings")), _codes(before.get("findings"))
    had_policy = before.get("status") in _POLICY_MODES
    out = []
    if codes & _FETCH_FAILED:
        severity = Severity.CRITICAL if before.get("mode") == "enforce" else Severity.WARNING
        error = (sts.get("fetch") or {}).get("error", "")
        out.append(
            Condition(
                facts.domain_id,
                AlertType.MTA_STS_UNFETCHABLE,
                "policy",
                severity,
                had_policy,
                group,
                {"error": error, "mode_before": before.get("mode")},
            )
        )
    mode = sts.get("mode") or ""
    if mode in {"testing", "none"}:
        downgrade = next(
            (c for c in facts.changes if c.kind == "mta_sts_mode_changed" and c.worse), None
        )
        details = {"before": downgrade.before, "after": mode} if downgrade else {"after": mode}
        out.append(
            Condition(
                facts.domain_id,
                AlertType.MTA_STS_MODE_CHANGED,
                "mode",
                Severity.WARNING,
                downgrade is not None,
                group,
                details,
            )
        )
    if "mta_sts_mx_not_covered" in codes:
        newly = had_policy and "mta_sts_mx_not_covered" not in before_codes
        severity = Severity.CRITICAL if mode == "enforce" else Severity.WARNING
        hosts = (facts.current.get("mx") or {}).get("hosts") or []
        details = {"mx_hosts": hosts, "patterns": sts.get("mx") or []}
        out.append(
            Condition(
                facts.domain_id,
                AlertType.MTA_STS_MX_NOT_COVERED,
                "mx",
                severity,
                newly,
                group,
                details,
            )
        )
    return out


# --- after an ingest batch ----------------------------------------------------------------


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


# --- whether to send ----------------------------------------------------------------------


def should_notify(
    *,
    severity: str,
    notified_at: datetime | None,
    notified_severity: str,
    now: datetime,
    mute: timedelta,
) -> bool:
    """An open alert is sent once, then not again within ``mute`` unless it got worse."""
    if notified_at is None:
        return True
    if (
        notified_severity
        and SEVERITY_RANK[Severity(severity)] > SEVERITY_RANK[Severity(notified_severity)]
    ):
        return True
    return now - notified_at >= mute
