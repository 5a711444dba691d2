"""The outcome of checking one domain (pure: no Django, no I/O).

``CheckResult.as_dict()`` is the documented JSON of ``manage.py check_domain --json`` and is what
``scans.models.Scan`` stores, so the CLI, the API and the history all show the same shape.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from core.vocabulary import AuthorizationStatus, Gap, MtaStsStatus, Severity, Verdict

SCORE_NOTES = {
    Verdict.NOT_APPLICABLE: "no score: TLS-RPT does not apply to this domain (see the findings)",
    Verdict.ERROR: "no score: the check could not tell, DNS gave no usable answer "
    "(see the findings)",
}


def score_note(verdict: Verdict | str) -> str | None:
    """Why a result has no score (``not_applicable``, ``error``); ``None`` when it has one."""
    try:
        return SCORE_NOTES.get(Verdict(verdict))
    except ValueError:  # blank: not scanned yet
        return None


@dataclass(frozen=True)
class Finding:
    code: str  # stable, lower snake case (protocol.md section 8 plus our MTA-STS codes)
    severity: Severity
    message: str  # plain explanation for this domain
    fix: str = ""  # exact action, e.g. the record to publish, filled in


@dataclass(frozen=True)
class ExternalAuthorization:
    """One rua destination host and whether ``<domain>._report._tls.<host>`` authorizes it."""

    rua_host: str
    uri: str
    record_name: str  # the TXT name checked (or that would be checked)
    status: AuthorizationStatus
    is_tlsmon: bool = False  # the destination is this TLSMon installation


@dataclass(frozen=True)
class TlsmonAuthorization:
    """``<domain>._report._tls.<host>`` for one of TLSMon's own report hosts: the record its
    operator publishes. Looked up whether or not the domain's record names TLSMon yet, so
    onboarding can say before anything is published; info only, never a finding."""

    host: str
    record_name: str
    status: AuthorizationStatus


@dataclass(frozen=True)
class CheckResult:
    """Two axes: ``verdict`` and ``findings`` answer "will senders report?" (TLS-RPT, MX and
    DNS findings, protocol.md section 8); ``mta_sts_status`` and ``mta_sts_findings`` are the
    MTA-STS axis (section 8b), which never moves the verdict. ``gaps`` and ``score`` use both."""

    domain: str
    verdict: Verdict
    score: int | None  # 0-100; None for not_applicable and error (see score_note)
    findings: tuple[Finding, ...]
    gaps: tuple[Gap, ...] = ()
    # Raw records seen: {"smtp_tls": [...], "smtp_tls_cnames": [...], "mta_sts": [...], ...}
    records: dict[str, Any] = field(default_factory=dict)
    # {"kind": "normal|null|implicit|none|error", "hosts": [...], "error": ""}
    mx: dict[str, Any] = field(default_factory=dict)
    # {"txt": ..., "id": ..., "mode": ..., "max_age": ..., "mx": [...], "fetch": {...}}
    mta_sts: dict[str, Any] = field(default_factory=dict)
    external_authorizations: tuple[ExternalAuthorization, ...] = ()
    tlsmon_authorizations: tuple[TlsmonAuthorization, ...] = ()
    rua: tuple[str, ...] = ()  # usable rua URIs of the record, in order
    timings_ms: dict[str, int] = field(default_factory=dict)
    mta_sts_status: MtaStsStatus | None = None  # None: MTA-STS does not apply (no mail)
    mta_sts_findings: tuple[Finding, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The MTA-STS axis is nested: ``mta_sts.status`` and ``mta_sts.findings``."""
        data = asdict(self)
        data["verdict"] = str(self.verdict)
        data["score_note"] = score_note(self.verdict)
        status = data.pop("mta_sts_status")
        data["mta_sts"] = {
            "status": str(status) if status is not None else None,
            **data["mta_sts"],
            "findings": data.pop("mta_sts_findings"),
        }
        return data
