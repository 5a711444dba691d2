"""The keys and rows of storing reports: what identifies a report and a policy copy, and the
plain tuples ``reports.storage`` plans and ``COPY`` writes (no model instances in the hot path)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import NamedTuple

from reports import report_parsing as rp
from reports.provenance import copy_fingerprint


class ReportKey(NamedTuple):
    reporter: str  # the reporting organization-name
    report_id: str


class PolicyKey(NamedTuple):
    reporter: str
    report_id: str
    policy_domain: str
    policy_type: str

    @property
    def report(self) -> ReportKey:
        return ReportKey(self.reporter, self.report_id)


def clip(text: str | None, size: int) -> str:
    return (text or "")[:size]


def report_key(report: rp.Report) -> ReportKey:
    return ReportKey(clip(report.organization_name, 255), clip(report.report_id, 255))


# The rows ``BatchPlan`` plans, in column order: plain tuples (``COPY`` writes them as they are),
# no model instances in the hot path.
class ReportRow(NamedTuple):
    organization_id: int
    submission_id: int | None
    organization_name: str
    report_id: str
    contact_info: str
    start: datetime
    end: datetime
    repairs: list[str]
    received_at: datetime


class PolicyRow(NamedTuple):
    report_id: int | None  # None until the new reports have ids
    organization_id: int
    domain_id: int
    day: date
    policy_type: str
    policy_domain: str
    routed_by: str
    policy_strings: list[str]
    mx_hosts: list[str]
    successful: int
    failed: int
    counted: bool  # the copy fields (reports.copies): final once the batch is planned
    fingerprint: str
    provenance: int
    received_at: datetime
    submission_id: int | None


class DetailRow(NamedTuple):
    policy_id: int | None  # None until the new policies have ids
    result_type: str
    sending_mta_ip: str
    receiving_mx_hostname: str
    receiving_mx_helo: str
    receiving_ip: str
    failed_session_count: int
    failure_reason_code: str
    additional_information: str


def detail_row(policy_id: int | None, d: rp.FailureDetail) -> DetailRow:
    return DetailRow(
        policy_id,
        clip(d.result_type, 100),
        clip(d.sending_mta_ip, 64),
        clip(d.receiving_mx_hostname, 253),
        clip(d.receiving_mx_helo, 253),
        clip(d.receiving_ip, 64),
        d.failed_session_count,
        d.failure_reason_code or "",
        d.additional_information or "",
    )


def report_day(report: rp.Report) -> date:
    """The roll-up day of a report: the UTC date of its start."""
    return report.start.astimezone(UTC).date()


def policy_copy(day: date, policy: rp.Policy) -> tuple[list[DetailRow], str]:
    """The policy's failure-detail rows (clipped as stored; ``policy_id`` still None) and its
    copy fingerprint: one definition for stored and quarantined copies, so a quarantined copy
    re-processed later is the same copy (duplicate or conflict) as if it had just arrived."""
    details = [detail_row(None, d) for d in policy.failure_details]
    fingerprint = copy_fingerprint(
        day=day,
        policy_strings=policy.policy_strings,
        mx_hosts=policy.mx_hosts,
        successful=policy.successful_sessions,
        failed=policy.failed_sessions,
        details=[d[1:] for d in details],
    )
    return details, fingerprint
