"""The record tools of the API: validate a ``_smtp._tls`` record before publishing it, and
build one from destinations. Pure functions over text (no DNS): the scan does the lookups."""

from __future__ import annotations

from typing import Any

from accounts.domain_names import normalize_domain_name
from core.vocabulary import Severity
from scans import records
from scans.evaluate import record_findings
from scans.external import authorization_name, external_hosts
from scans.observations import Answer, Outcome
from scans.scoring import verdict_for


def validate_record(*, domain: str, record: str) -> dict[str, Any]:
    """Findings for ``record`` as if it were the only TXT at ``_smtp._tls.<domain>``.

    Raises ValueError (from the domain-name rules) for a domain TLSMon would not monitor.
    """
    name = normalize_domain_name(domain).ascii
    answer = Answer(name=f"_smtp._tls.{name}", outcome=Outcome.OK, records=(record,))
    selection = records.check_tlsrpt_txt(answer.records)
    findings = record_findings(name, answer, selection)
    uris = selection.record.rua if selection.record else ()
    return {
        "domain": name,
        "name": f"_smtp._tls.{name}",
        "verdict": str(verdict_for(findings)),
        "valid": not any(f.severity is Severity.CRITICAL for f in findings),
        "rua": list(selection.record.usable_rua) if selection.record else [],
        "external_destinations": [
            {"host": host, "authorization_record": authorization_name(name, host)}
            for host in external_hosts(name, uris)
        ],
        "findings": [
            {"code": f.code, "severity": str(f.severity), "message": f.message, "fix": f.fix}
            for f in findings
        ],
    }


def generate_record(*, destinations: list[str], domain: str = "") -> dict[str, str]:
    """A valid record for these destinations, and where to publish it when a domain is given."""
    value = records.generate_record(destinations)
    if not domain:
        return {"record": value, "name": "", "zone_line": ""}
    name = f"_smtp._tls.{normalize_domain_name(domain).ascii}"
    return {"record": value, "name": name, "zone_line": f'{name}. 3600 IN TXT "{value}"'}
