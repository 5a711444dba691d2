"""Verdict, 0-100 score and gaps from findings (pure; weights documented in docs/scanning.md).

The verdict comes from the worst severity of the TLS-RPT axis alone (protocol.md section 8);
the MTA-STS axis has its own status (``scans.mta_sts``). The score only orders domains inside a
verdict, so it is capped per verdict and can never contradict it; the MTA-STS axis takes off at
most ``MTA_STS_MAX_WEIGHT`` points.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from core.vocabulary import Gap, MtaStsStatus, Severity, Verdict
from scans.findings import CATALOGUE, Code
from scans.results import Finding

SEVERITY_WEIGHT = {Severity.CRITICAL: 60, Severity.WARNING: 15, Severity.INFO: 2}
# Codes whose weight differs from their severity's: the "no reports at all" cases weigh most;
# info that is neutral (legal CNAME, ignored tag, a lookup we could not make) weighs nothing.
CODE_WEIGHT = {
    Code.MISSING_RECORD: 100,
    Code.VERSION_INVALID: 90,
    Code.MULTIPLE_RECORDS: 80,
    Code.RUA_MISSING: 80,
    Code.UNKNOWN_TAG: 0,
    Code.CNAME_ON_SMTP_TLS: 0,
    Code.RUA_AUTHORIZATION_UNKNOWN: 0,
    Code.MTA_STS_LOOKUP_ERROR: 0,
    Code.MTA_STS_COMPANION_MISSING: 5,
    Code.MTA_STS_MODE_NONE: 5,
}
# The MTA-STS axis weighs at most this much in total: a broken policy costs as much as one
# TLS-RPT warning, a missing one 5 (the weights of its findings, summed, then capped).
MTA_STS_MAX_WEIGHT = 15
# MTA-STS coverage gaps come from the status, so ``?gap=mta_sts_broken`` = ``?mta_sts=broken``.
STATUS_GAP = {
    MtaStsStatus.ABSENT: Gap.NO_MTA_STS,
    MtaStsStatus.NONE: Gap.NO_MTA_STS,
    MtaStsStatus.TESTING: Gap.MTA_STS_TESTING,
    MtaStsStatus.BROKEN: Gap.MTA_STS_BROKEN,
}
CAP = {Verdict.FAIL: 40, Verdict.WARN: 89, Verdict.PASS: 100}


def verdict_for(findings: Iterable[Finding]) -> Verdict:
    """critical -> fail, warning -> warn, info only (or nothing) -> pass; for TLS-RPT findings
    (the MTA-STS axis never reaches this)."""
    severities = {finding.severity for finding in findings}
    if Severity.CRITICAL in severities:
        return Verdict.FAIL
    if Severity.WARNING in severities:
        return Verdict.WARN
    return Verdict.PASS


def finding_weight(finding: Finding) -> int:
    return CODE_WEIGHT.get(Code(finding.code), SEVERITY_WEIGHT[finding.severity])


def score_findings(
    findings: Sequence[Finding], verdict: Verdict, sts_findings: Sequence[Finding] = ()
) -> int | None:
    """100 minus the TLS-RPT weights and the (capped) MTA-STS weights, clamped to 0 and to the
    verdict's cap; ``None`` (no score) for ``not_applicable`` and ``error``: a domain that
    receives no mail is not "perfect" and a lookup nobody answered is not "worst"
    (``results.score_note`` says why)."""
    if verdict in (Verdict.NOT_APPLICABLE, Verdict.ERROR):
        return None
    sts_weight = min(MTA_STS_MAX_WEIGHT, sum(finding_weight(f) for f in sts_findings))
    score = 100 - sum(finding_weight(finding) for finding in findings) - sts_weight
    return max(0, min(score, CAP[verdict]))


def gaps_for(findings: Iterable[Finding], mta_sts: MtaStsStatus | None = None) -> tuple[Gap, ...]:
    """Coverage gaps named by the TLS-RPT findings' catalogue rows, each once, in finding
    order, then the MTA-STS status's gap."""
    gaps = [CATALOGUE[Code(finding.code)].gap for finding in findings]
    gaps.append(STATUS_GAP.get(mta_sts) if mta_sts is not None else None)
    return tuple(dict.fromkeys(gap for gap in gaps if gap is not None))
