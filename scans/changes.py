"""What changed between two scans of a domain (pure: no Django, no I/O).

Inputs are ``CheckResult.as_dict()`` values as stored on ``Scan.result``; the output feeds
``ScanChange`` rows, which alerts read. ``worse`` marks changes an alert should fire on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# How bad a verdict is for alerting; "error" and "not_applicable" are neither better nor worse.
_VERDICT_RANK = {"pass": 0, "warn": 1, "fail": 2}


@dataclass(frozen=True)
class Change:
    kind: str  # scans.models.ChangeKind value
    subject: str
    before: str
    after: str
    worse: bool = False


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "\n".join(sorted(str(item) for item in value))
    return str(value)


def _record_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    changes = []
    for subject in sorted(set(before) | set(after)):
        old, new = _as_text(before.get(subject)), _as_text(after.get(subject))
        if old == new:
            continue
        if not old:
            changes.append(Change("record_added", subject, old, new))
        elif not new:
            changes.append(Change("record_removed", subject, old, new, worse=True))
        else:
            changes.append(Change("record_changed", subject, old, new))
    return changes


def _verdict_change(before: str, after: str) -> list[Change]:
    if not before or before == after:
        return []
    worse = _VERDICT_RANK.get(after, -1) > _VERDICT_RANK.get(before, 99)
    return [Change("verdict_changed", "verdict", before, after, worse=worse)]


def _mta_sts_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    changes = []
    for key, kind in (("mode", "mta_sts_mode_changed"), ("id", "mta_sts_id_changed")):
        old, new = _as_text(before.get(key)), _as_text(after.get(key))
        if old != new:
            worse = key == "mode" and old == "enforce"
            changes.append(Change(kind, f"mta_sts.{key}", old, new, worse=worse))
    return changes


def diff_results(previous: Mapping[str, Any] | None, current: Mapping[str, Any]) -> list[Change]:
    """Changes from ``previous`` to ``current``; nothing for a first scan.

    A scan that ended in a DNS error saw nothing reliable, so records are not compared
    across it (otherwise every SERVFAIL would look like "record removed").
    """
    if not previous:
        return []
    changes = _verdict_change(previous.get("verdict", ""), current.get("verdict", ""))
    if "error" in (previous.get("verdict"), current.get("verdict")):
        return changes
    before_records = dict(previous.get("records") or {})
    after_records = dict(current.get("records") or {})
    before_records["mx"] = (previous.get("mx") or {}).get("hosts")
    after_records["mx"] = (current.get("mx") or {}).get("hosts")
    changes += _record_changes(before_records, after_records)
    changes += _mta_sts_changes(previous.get("mta_sts") or {}, current.get("mta_sts") or {})
    return changes


# What each change subject is, as a reader of the history names it ({d} is the domain).
_SUBJECT_NAMES = {
    "smtp_tls": "TXT _smtp._tls.{d}",
    "smtp_tls_selected": "TXT _smtp._tls.{d} (the record senders use)",
    "smtp_tls_cnames": "CNAME at _smtp._tls.{d}",
    "smtp_tls_outcome": "DNS answer for _smtp._tls.{d}",
    "mta_sts": "TXT _mta-sts.{d}",
    "mta_sts_outcome": "DNS answer for _mta-sts.{d}",
    "mx": "MX {d}",
    "mta_sts.mode": "MTA-STS policy mode (https://mta-sts.{d}/.well-known/mta-sts.txt)",
    "mta_sts.id": "MTA-STS policy id (TXT _mta-sts.{d})",
    "verdict": "TLS-RPT verdict",
}


def subject_name(subject: str, domain: str) -> str:
    """The record a change is about, e.g. ``TXT _smtp._tls.example.com`` for ``smtp_tls``."""
    template = _SUBJECT_NAMES.get(subject)
    return template.format(d=domain) if template else subject.replace("_", " ")
