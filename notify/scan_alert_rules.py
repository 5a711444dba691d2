"""The alert rules read after a scan chunk (pure: no Django, no I/O): record removed or
invalid, verdict worse, external destination unauthorized, MTA-STS unfetchable, downgraded or
no longer covering the MX. Inputs are stored scan results (``CheckResult.as_dict()``) and the
``scans.changes`` of the new scan, with their ``worse`` flag."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.vocabulary import Severity
from notify.alert_rules import SCAN_TYPES, AlertType, Condition

_BAD_VERDICTS = {"warn", "fail"}
_AUTHORIZED = {"authorized", "wildcard_authorized"}
_POLICY_MODES = {"enforce", "testing", "none"}
_FETCH_FAILED = {"mta_sts_policy_fetch_failed", "mta_sts_redirect"}
_CRITICAL_RECORDS = {"smtp_tls", "mx"}
# The published records whose removal is an alert (``scans.changes`` also diffs derived
# values such as the selected record and lookup outcomes, which are not records).
_RECORDS = {"smtp_tls", "mta_sts", "mx"}


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


def _new_findings(current: Mapping[str, Any], previous: Mapping[str, Any] | None) -> str:
    """Codes of the TLS-RPT findings this scan has and the one before did not, in order."""
    before = {f.get("code") for f in (previous or {}).get("findings") or ()}
    codes = [f.get("code") for f in current.get("findings") or () if f.get("code") not in before]
    return ", ".join(dict.fromkeys(code for code in codes if code))


def _verdict_conditions(facts: ScanFacts, *, skip_opening: bool) -> list[Condition]:
    """Verdict got worse; not opened when a more specific cause (record removed or invalid, a
    destination unauthorized) opened in the same scan, so one cause is one alert."""
    verdict = facts.current.get("verdict", "")
    if verdict not in _BAD_VERDICTS:
        return []
    severity = Severity.CRITICAL if verdict == "fail" else Severity.WARNING
    worse = next((c for c in facts.changes if c.kind == "verdict_changed" and c.worse), None)
    details = {"before": worse.before, "after": worse.after} if worse else {"after": verdict}
    if worse and (found := _new_findings(facts.current, facts.previous)):
        details["new_findings"] = found  # what made it worse, as the domain page names it
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
