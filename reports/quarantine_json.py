"""A quarantined policy is kept as JSON (the parser's values) and turned back into them when
it is re-processed, so a policy that waited for its domain is stored exactly as if it had
just arrived. Pure: no Django."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from reports import report_parsing as rp


def policy_as_json(policy: rp.Policy) -> dict:
    return dataclasses.asdict(policy)


def policy_from_json(data: dict) -> rp.Policy:
    details = tuple(rp.FailureDetail(**d) for d in data.get("failure_details", ()))
    return rp.Policy(
        **{
            **data,
            "policy_strings": tuple(data.get("policy_strings", ())),
            "mx_hosts": tuple(data.get("mx_hosts", ())),
            "failure_details": details,
        }
    )


def header_as_json(report: rp.Report, header_domain: str = "") -> dict:
    return {
        "organization_name": report.organization_name,
        "report_id": report.report_id,
        "contact_info": report.contact_info,
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "repairs": list(report.repairs),
        "tls_report_domain": header_domain,
    }


def report_from_json(header: dict, policies: Sequence[rp.Policy]) -> rp.Report:
    return rp.Report(
        organization_name=header["organization_name"],
        report_id=header["report_id"],
        contact_info=header.get("contact_info") or "",
        start=datetime.fromisoformat(header["start"]),
        end=datetime.fromisoformat(header["end"]),
        policies=tuple(policies),
        repairs=tuple(header.get("repairs", ())),
    )
