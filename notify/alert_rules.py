"""Which alerts open, stay open or resolve (pure: no Django, no I/O; ``now`` is a parameter).

Every rule yields ``Condition``s for the domains it looked at: a condition that ``opens`` may
open a new alert (something just got worse); one that does not only keeps an open alert open
(the bad state still holds). ``reconcile`` compares them with the open alerts of the domains
and types that were evaluated: a condition with an open alert touches it (and raises its
severity if worse), an opening one without opens it, and an open alert whose condition no
longer holds is resolved. The rules themselves read stored facts only:
``notify.scan_alert_rules`` (scan results and their changes) and ``notify.report_alert_rules``
(daily totals and failures, ``last_report_at``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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
