"""TLS-RPT report JSON (RFC 8460 section 4) -> validated values (pure: no Django, no I/O).

Interface only; the parser helper fills in ``parse_report``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class ReportError(ValueError):
    """A report we cannot accept. ``path`` is the JSON path (``$.policies[0].summary``)."""

    def __init__(self, message: str, *, path: str = "$") -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.reason = message


class ReportTooLarge(ReportError):
    """Compressed or decompressed size over the configured limit (HTTP 413)."""


@dataclass(frozen=True)
class FailureDetail:
    result_type: str  # kept verbatim, even when not in the IANA registry
    failed_session_count: int
    sending_mta_ip: str = ""
    receiving_mx_hostname: str = ""
    receiving_mx_helo: str = ""
    receiving_ip: str = ""
    additional_information: str = ""
    failure_reason_code: str = ""


@dataclass(frozen=True)
class Policy:
    policy_type: str  # "sts", "tlsa", "no-policy-found" or an unknown value verbatim
    policy_domain: str  # normalized A-label; "" when the sender left it out
    policy_strings: tuple[str, ...]
    mx_hosts: tuple[str, ...]
    successful_sessions: int
    failed_sessions: int
    failure_details: tuple[FailureDetail, ...] = ()


@dataclass(frozen=True)
class Report:
    organization_name: str
    report_id: str
    contact_info: str
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC
    policies: tuple[Policy, ...]
    repairs: tuple[str, ...] = ()  # tolerances applied, e.g. "end-datetime had no time zone"


def parse_report(
    data: bytes, *, max_compressed: int = 10 * 1024 * 1024, max_decompressed: int = 50 * 1024 * 1024
) -> Report:
    """Bytes (JSON, or gzip by magic bytes) -> Report, or ReportError naming the JSON path."""
    raise NotImplementedError
