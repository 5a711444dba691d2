"""One notification per cause, not one per domain (pure: no Django, no I/O).

Alerts a recipient is due to hear about are grouped by (alert type, shared cause, day): the
cause is the alert's ``group_key`` (the receiving MX host, the host serving the MTA-STS
policy, the rua host). Twenty client domains of one MSP failing on the same MX host the same
day therefore reach the MSP as one notification listing the twenty domains. Alerts without
a shared cause (``group_key`` blank) are sent one by one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from core.vocabulary import Severity
from notify.alert_rules import SEVERITY_RANK, type_label


@dataclass(frozen=True)
class AlertItem:
    alert_id: int
    organization: str  # name of the domain's organization (a client, for an MSP)
    domain: str
    type: str
    severity: str
    group_key: str
    day: date  # UTC day the alert was first seen
    details: dict


@dataclass(frozen=True)
class Notification:
    type: str
    group_key: str
    day: date
    severity: str  # the worst of its alerts
    items: tuple[AlertItem, ...]

    @property
    def domains(self) -> list[str]:
        return sorted({item.domain for item in self.items})

    @property
    def cause(self) -> str:
        """The shared cause in words: 'MX host mx.example.net', or '' when there is none."""
        kind, _, value = self.group_key.partition(":")
        label = {"mx": "MX host", "mta-sts": "MTA-STS host", "rua": "report destination"}
        return f"{label.get(kind, kind)} {value}" if value else ""

    @property
    def title(self) -> str:
        label = type_label(self.type)
        if len(self.items) == 1:
            return f"{label}: {self.items[0].domain}"
        on = f" on {self.cause}" if self.cause else ""
        return f"{label}{on}: {len(self.domains)} domains"


def group_alerts(items: Iterable[AlertItem]) -> list[Notification]:
    """Group by (type, group key, day); blank group keys stay single. Ordered worst first."""
    groups: dict[tuple, list[AlertItem]] = {}
    for item in items:
        key = (item.type, item.group_key, item.day)
        groups.setdefault(key if item.group_key else (*key, item.alert_id), []).append(item)
    notifications = [
        Notification(
            type=members[0].type,
            group_key=members[0].group_key,
            day=members[0].day,
            severity=max(
                (Severity(m.severity) for m in members), key=lambda s: SEVERITY_RANK[s]
            ).value,
            items=tuple(sorted(members, key=lambda m: (m.domain, m.alert_id))),
        )
        for members in groups.values()
    ]
    return sorted(
        notifications,
        key=lambda n: (-SEVERITY_RANK[Severity(n.severity)], n.day, n.type, n.group_key),
    )
