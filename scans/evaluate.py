"""Turn ``Observations`` into a ``CheckResult``: verdict, MTA-STS status, score, findings, gaps
(pure).

Order (protocol.md section 8): MX first (error -> ``error``; NXDOMAIN, null MX, or no MX and no
A/AAAA -> ``not_applicable``), then ``_smtp._tls`` (lookup error -> ``error``), then the record
rules and the external-destination convention. A DNS failure gives ``error``, never ``fail``:
"could not tell" must not look like "broken". MTA-STS is a second axis (section 8b), assessed
whenever the MX step lets evaluation go on; it never moves the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.vocabulary import MtaStsStatus, Verdict
from scans.external import assess_external, assess_tlsmon_hosts
from scans.findings import Code, make_finding
from scans.mta_sts import StsAssessment, assess_mta_sts
from scans.observations import Answer, MxRecord, Observations, Outcome
from scans.records import Selection, check_tlsrpt_txt, looks_like_tlsrpt, parse_tlsrpt_record
from scans.results import CheckResult, Finding
from scans.scoring import gaps_for, score_findings, verdict_for


@dataclass(frozen=True)
class MxAssessment:
    """What the MX step found; ``stop`` is the verdict when evaluation ends here."""

    summary: dict[str, Any]
    hosts: tuple[str, ...] = ()  # the mail hosts MTA-STS must cover (the domain if implicit)
    findings: tuple[Finding, ...] = ()
    stop: Verdict | None = None


@dataclass
class _Parts:
    findings: list[Finding] = field(default_factory=list)
    records: dict[str, Any] = field(default_factory=dict)


def evaluate(obs: Observations) -> CheckResult:
    """The verdict for one domain from what was looked up; no I/O, so tests hand-write ``obs``."""
    mx = assess_mx(obs)
    if mx.stop is not None:
        # No mail: MTA-STS does not apply; MX lookup failed: could not tell either.
        sts = StsAssessment(MtaStsStatus.ERROR if mx.stop is Verdict.ERROR else None)
        return _result(obs, mx.stop, list(mx.findings), sts, mx=mx.summary)
    sts = assess_mta_sts(obs.domain, obs.mta_sts_txt, obs.mta_sts_policy, mx.hosts)
    tlsrpt = obs.tlsrpt
    records = _records_seen(obs)
    if tlsrpt is None or tlsrpt.outcome is Outcome.ERROR:
        detail = f"TXT _smtp._tls.{obs.domain}: {tlsrpt.error if tlsrpt else 'not looked up'}"
        finding = make_finding(Code.DNS_ERROR, domain=obs.domain, detail=detail)
        findings = [*mx.findings, finding]
        return _result(obs, Verdict.ERROR, findings, sts, mx=mx.summary, records=records)
    selection = check_tlsrpt_txt(tlsrpt.records if tlsrpt.ok else ())
    findings = [*mx.findings, *record_findings(obs.domain, tlsrpt, selection, obs.suggested_rua)]
    uris = selection.record.rua if selection.record else ()
    authorizations, external = assess_external(
        obs.domain, uris, obs.authorizations, obs.tlsmon_hosts
    )
    findings += external
    records["smtp_tls_selected"] = selection.record.text if selection.record else None
    return _result(
        obs,
        verdict_for(findings),
        findings,
        sts,
        mx=mx.summary,
        records=records,
        external_authorizations=tuple(authorizations),
        rua=selection.record.usable_rua if selection.record else (),
    )


def _result(
    obs: Observations,
    verdict: Verdict,
    findings: list[Finding],
    sts: StsAssessment,
    **parts: Any,
) -> CheckResult:
    return CheckResult(
        domain=obs.domain,
        verdict=verdict,
        score=score_findings(findings, verdict, sts.findings),
        findings=tuple(findings),
        gaps=gaps_for(findings, sts.status),
        timings_ms=dict(obs.timings_ms),
        mta_sts=sts.summary or {},
        mta_sts_status=sts.status,
        mta_sts_findings=sts.findings,
        tlsmon_authorizations=assess_tlsmon_hosts(obs.domain, obs.authorizations, obs.tlsmon_hosts),
        **parts,
    )


def _records_seen(obs: Observations) -> dict[str, Any]:
    tlsrpt, sts = obs.tlsrpt, obs.mta_sts_txt
    return {
        "smtp_tls": list(tlsrpt.records) if tlsrpt else [],
        "smtp_tls_outcome": str(tlsrpt.outcome) if tlsrpt else None,
        "smtp_tls_cnames": list(tlsrpt.cnames) if tlsrpt else [],
        "mta_sts": list(sts.records) if sts else [],
        "mta_sts_outcome": str(sts.outcome) if sts else None,
    }


def record_findings(
    domain: str, answer: Answer[str], selection: Selection, fallback: tuple[str, ...] = ()
) -> list[Finding]:
    """Findings of the ``_smtp._tls`` TXT; fixes use the domain's own usable destinations,
    else ``fallback`` (the tenant's TLSMon addresses), else an example mailbox."""
    rua = _suggested_rua(answer.records, selection) or fallback
    findings = [
        make_finding(
            issue.code, domain=domain, detail=issue.detail, severity=issue.severity, rua=rua
        )
        for issue in selection.issues
    ]
    if answer.cnames:
        detail = " -> ".join(answer.cnames)
        findings.append(make_finding(Code.CNAME_ON_SMTP_TLS, domain=domain, detail=detail))
    return findings


def existing_destinations(txts: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The usable destinations a domain's ``_smtp._tls`` TXT strings already name (merged
    across records when several compete), so a suggested record can keep them."""
    txts = tuple(txts)
    return _suggested_rua(txts, check_tlsrpt_txt(txts))


def _suggested_rua(txts: tuple[str, ...], selection: Selection) -> tuple[str, ...]:
    """The domain's own usable destinations, to fill fixes (with '!' encoded, so the suggested
    record is itself valid); from every TLS-RPT-looking record when none was selected, so a
    fix for two records merges their destinations."""
    if selection.record is not None:
        found = list(selection.record.usable_rua)
    else:
        records = [parse_tlsrpt_record(t) for t in txts if looks_like_tlsrpt(t)]
        found = [uri for record in records for uri in record.usable_rua]
    return tuple(dict.fromkeys(uri.replace("!", "%21") for uri in found))


def assess_mx(obs: Observations) -> MxAssessment:
    """Classify the MX situation (RFC 5321 section 5.1, RFC 7505)."""
    domain, answer = obs.domain, obs.mx
    if answer.outcome is Outcome.ERROR:
        detail = f"MX {domain}: {answer.error or 'error'}"
        finding = make_finding(Code.DNS_ERROR, domain=domain, detail=detail)
        return MxAssessment(_mx_summary("error", error=detail), (), (finding,), Verdict.ERROR)
    if answer.outcome is Outcome.NXDOMAIN:
        finding = make_finding(Code.MX_NXDOMAIN, domain=domain)
        return MxAssessment(_mx_summary("nxdomain"), (), (finding,), Verdict.NOT_APPLICABLE)
    if answer.ok and answer.records:
        return _assess_mx_records(domain, answer.records)
    return _assess_implicit(obs)


def _assess_mx_records(domain: str, records: tuple[MxRecord, ...]) -> MxAssessment:
    ordered = sorted(records, key=lambda r: (r.preference, r.exchange))
    null = [r for r in ordered if r.exchange in ("", ".")]
    real = [r for r in ordered if r.exchange not in ("", ".")]
    mixed: tuple[Finding, ...] = ()
    if null and (real or len(null) > 1 or null[0].preference != 0):
        detail = ", ".join(f"MX {r.preference} {r.exchange or '.'}" for r in ordered)
        mixed = (make_finding(Code.NULL_MX_MIXED, domain=domain, detail=detail),)
    if not real:
        finding = make_finding(Code.NULL_MX, domain=domain)
        summary = _mx_summary("null", records=ordered)
        return MxAssessment(summary, (), (finding, *mixed), Verdict.NOT_APPLICABLE)
    hosts = tuple(dict.fromkeys(r.exchange for r in real))
    return MxAssessment(_mx_summary("normal", hosts, ordered), hosts, mixed)


def _assess_implicit(obs: Observations) -> MxAssessment:
    domain, addresses = obs.domain, obs.addresses
    if addresses is None or addresses.outcome is Outcome.ERROR:
        detail = f"A/AAAA {domain}: {addresses.error if addresses else 'not looked up'}"
        finding = make_finding(Code.DNS_ERROR, domain=domain, detail=detail)
        return MxAssessment(_mx_summary("error", error=detail), (), (finding,), Verdict.ERROR)
    if not (addresses.ok and addresses.records):
        finding = make_finding(Code.NO_MX, domain=domain)
        return MxAssessment(_mx_summary("none"), (), (finding,), Verdict.NOT_APPLICABLE)
    return MxAssessment(_mx_summary("implicit", (domain,)), (domain,))


def _mx_summary(
    kind: str,
    hosts: tuple[str, ...] = (),
    records: list[MxRecord] | None = None,
    error: str = "",
) -> dict[str, Any]:
    rows = [{"preference": r.preference, "exchange": r.exchange or "."} for r in records or ()]
    return {"kind": kind, "hosts": list(hosts), "records": rows, "error": error}
