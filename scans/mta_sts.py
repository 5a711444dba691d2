"""MTA-STS (RFC 8461): the ``_mta-sts`` TXT record, the policy file, MX matching (pure).

``assess_mta_sts`` turns what was seen into the MTA-STS axis of a check: a status
(protocol.md section 8b) and its own findings. None of them moves the TLS-RPT verdict: a sender
that cannot use the policy still reports (with ``sts-policy-*`` failures), and TLS-RPT also
serves DANE and plain STARTTLS.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.vocabulary import MtaStsStatus
from scans.findings import Code, make_finding
from scans.observations import Answer, Outcome, PolicyFetch
from scans.results import Finding
from scans.rua_uri import check_host_name

STS_GATE = "v=STSv1;"
STS_VERSION = "v=STSv1"
WSP = " \t"
MAX_AGE_LIMIT = 31_557_600  # RFC 8461 section 3.2
SHORT_MAX_AGE = 7 * 86_400  # "weeks or greater" is what the RFC expects
MODES = ("enforce", "testing", "none")
_ID = re.compile(r"[A-Za-z0-9]{1,32}")
_EXT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}")
_EXT_VALUE = re.compile(r"[\x21-\x3a\x3c\x3e-\x7e]+")
_MAX_AGE = re.compile(r"[0-9]{1,10}")
# A v=STSv1 record exists but senders cannot use the policy (protocol.md section 8b).
BROKEN_CODES = frozenset(
    {
        Code.MTA_STS_TXT_INVALID,
        Code.MTA_STS_MULTIPLE_RECORDS,
        Code.MTA_STS_POLICY_FETCH_FAILED,
        Code.MTA_STS_REDIRECT,
        Code.MTA_STS_MEDIA_TYPE,
        Code.MTA_STS_POLICY_INVALID,
    }
)


@dataclass(frozen=True)
class StsTxt:
    text: str
    id: str
    problems: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class StsPolicy:
    version: str
    mode: str
    max_age: int | None
    mx: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return not self.problems


def parse_sts_txt(text: str) -> StsTxt:
    """Check one TXT string against the RFC 8461 section 3.1 ABNF. Never raises."""
    parts = text.split(";")
    problems: list[str] = []
    if parts[0].rstrip(WSP) != STS_VERSION or len(parts) < 2:
        problems.append("it must start with 'v=STSv1;'")
    body = parts[1:]
    if body and not body[-1].strip(WSP):
        body = body[:-1]
    ids: list[str] = []
    for part in body:
        key, sep, value = part.strip(WSP).partition("=")
        if key == "id" and sep:
            ids.append(value)
            if not _ID.fullmatch(value):
                problems.append(f"id={value!r} must be 1-32 letters and digits")
        elif not (sep and _EXT_NAME.fullmatch(key) and _EXT_VALUE.fullmatch(value)):
            problems.append(f"{part.strip(WSP)!r} is not a valid field")
    if not ids:
        problems.append("the id= field is missing")
    return StsTxt(text, ids[0] if ids else "", tuple(problems))


def parse_sts_policy(body: str) -> StsPolicy:
    """Read the policy file (RFC 8461 section 3.2): LF or CRLF lines, case-sensitive keys and
    values, unknown keys ignored, the first of a repeated non-mx key wins."""
    values: dict[str, str] = {}
    mx: list[str] = []
    problems: list[str] = []
    for line in body.split("\n"):
        line = line.removesuffix("\r")
        if not line.strip(WSP):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            problems.append(f"line {line[:60]!r} is not 'key: value'")
        elif key == "mx":
            mx.append(value.strip(WSP))
        else:
            values.setdefault(key, value.strip(WSP))
    version, mode = values.get("version", ""), values.get("mode", "")
    if version != "STSv1":
        problems.append("'version: STSv1' is missing" if not version else f"version {version!r}")
    if mode not in MODES:
        problems.append(f"mode {mode!r} is not enforce, testing or none" if mode else "no mode")
    max_age = _max_age(values.get("max_age", ""), problems)
    problems.extend(_mx_problems(mx, mode))
    return StsPolicy(version, mode, max_age, tuple(mx), tuple(problems))


def _max_age(text: str, problems: list[str]) -> int | None:
    if not _MAX_AGE.fullmatch(text):
        problems.append(f"max_age {text!r} is not 1-10 digits" if text else "no max_age")
        return None
    if int(text) > MAX_AGE_LIMIT:
        problems.append(f"max_age {text} exceeds {MAX_AGE_LIMIT}")
    return int(text)


def _mx_problems(patterns: Sequence[str], mode: str) -> list[str]:
    problems = [
        f"mx {pattern!r}: {check_host_name(pattern.removeprefix('*.'))}"
        for pattern in patterns
        if check_host_name(pattern.removeprefix("*."))
    ]
    if not patterns and mode != "none":
        problems.append("no mx line (required unless mode is none)")
    return problems


def media_type_ok(content_type: str) -> bool:
    """``text/plain`` with charset utf-8 or us-ascii (or none); other parameters ignored."""
    media, *params = (part.strip() for part in content_type.split(";"))
    if media.lower() != "text/plain":
        return False
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower() in ("utf-8", "us-ascii")
    return True


def mx_matches(pattern: str, host: str) -> bool:
    """RFC 8461 section 4.1: equal, or ``*.<suffix>`` plus exactly one label; no case, no
    trailing dot."""
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if not pattern.startswith("*."):
        return pattern == host
    suffix = pattern[1:]
    label = host.removesuffix(suffix)
    return host.endswith(suffix) and bool(label) and "." not in label


def uncovered_hosts(patterns: Sequence[str], hosts: Sequence[str]) -> list[str]:
    return [host for host in hosts if not any(mx_matches(p, host) for p in patterns)]


def select_sts_txt(records: Sequence[str]) -> list[str]:
    """Records that pass the literal ``v=STSv1;`` gate; senders need exactly one."""
    return [text for text in records if text.startswith(STS_GATE)]


@dataclass(frozen=True)
class StsAssessment:
    """The MTA-STS axis of one check: status, findings and the ``CheckResult.mta_sts`` summary.
    ``status`` is None when MTA-STS does not apply (the domain receives no mail)."""

    status: MtaStsStatus | None
    findings: tuple[Finding, ...] = ()
    summary: dict[str, Any] | None = None


def assess_mta_sts(
    domain: str,
    txt: Answer[str] | None,
    fetch: PolicyFetch | None,
    mx_hosts: Sequence[str],
) -> StsAssessment:
    """Status, findings and summary of the domain's MTA-STS setup (protocol.md section 8b)."""
    summary: dict[str, Any] = {
        "txt": list(txt.records) if txt else [],
        "id": "",
        "mode": None,
        "max_age": None,
        "mx": [],
        "fetch": None,
    }
    findings = _assess(domain, txt, fetch, mx_hosts, summary)
    status = _status(txt, fetch, findings, summary, mx_hosts)
    return StsAssessment(status, tuple(findings), summary)


def _status(
    txt: Answer[str] | None,
    fetch: PolicyFetch | None,
    findings: list[Finding],
    summary: dict[str, Any],
    mx_hosts: Sequence[str],
) -> MtaStsStatus:
    """Lookup failed -> error; a broken code, or a policy that covers none of the MX hosts ->
    broken (some uncovered is only a warning); no record -> absent; a record whose policy was
    not fetched (no fetcher given) -> error; else the policy's mode."""
    codes = {Code(finding.code) for finding in findings}
    if txt is None or txt.outcome is Outcome.ERROR:
        return MtaStsStatus.ERROR
    covers_none = Code.MTA_STS_MX_NOT_COVERED in codes and not any(
        mx_matches(pattern, host) for pattern in summary["mx"] for host in mx_hosts
    )
    if codes & BROKEN_CODES or covers_none:
        return MtaStsStatus.BROKEN
    if Code.MTA_STS_COMPANION_MISSING in codes:
        return MtaStsStatus.ABSENT
    if fetch is None or summary["mode"] not in MODES:
        return MtaStsStatus.ERROR
    return MtaStsStatus(summary["mode"])


def _assess(
    domain: str,
    txt: Answer[str] | None,
    fetch: PolicyFetch | None,
    mx_hosts: Sequence[str],
    summary: dict[str, Any],
) -> list[Finding]:
    mx_lines = "\n".join(f"mx: {host}" for host in mx_hosts) or f"mx: mail.{domain}"
    if txt is None or txt.outcome is Outcome.ERROR:
        detail = txt.error if txt else "not looked up"
        return [make_finding(Code.MTA_STS_LOOKUP_ERROR, domain=domain, detail=detail)]
    gated = select_sts_txt(txt.records)
    if len(gated) > 1:
        return [make_finding(Code.MTA_STS_MULTIPLE_RECORDS, domain=domain, detail=str(len(gated)))]
    if not gated:
        attempt = next((t for t in txt.records if t.lower().startswith("v=sts")), "")
        if attempt:
            detail = f"{attempt!r} does not start with the exact 'v=STSv1;'"
            return [make_finding(Code.MTA_STS_TXT_INVALID, domain=domain, detail=detail)]
        return [make_finding(Code.MTA_STS_COMPANION_MISSING, domain=domain)]
    record = parse_sts_txt(gated[0])
    summary["id"] = record.id
    findings = []
    if not record.valid:
        detail = "; ".join(record.problems)
        findings.append(make_finding(Code.MTA_STS_TXT_INVALID, domain=domain, detail=detail))
    if fetch is not None:
        summary["fetch"] = _fetch_summary(fetch)
        findings.extend(_assess_fetch(domain, fetch, mx_hosts, mx_lines, summary))
    return findings


def _fetch_summary(fetch: PolicyFetch) -> dict[str, Any]:
    keys = ("url", "status", "content_type", "error", "redirect_to", "truncated", "elapsed_ms")
    keys += ("served_by",)
    return {key: getattr(fetch, key) for key in keys}


def _assess_fetch(
    domain: str,
    fetch: PolicyFetch,
    mx_hosts: Sequence[str],
    mx_lines: str,
    summary: dict[str, Any],
) -> list[Finding]:
    status = fetch.status
    if fetch.redirect_to or (status is not None and 300 <= status < 400):
        detail = f"HTTP {status} to {fetch.redirect_to or '(no Location)'}"
        return [make_finding(Code.MTA_STS_REDIRECT, domain=domain, detail=detail)]
    problem = fetch.error or ("" if status == 200 else f"HTTP {status}")
    if not problem and fetch.truncated:
        problem = "the policy is larger than the size limit"
    if problem:
        return [make_finding(Code.MTA_STS_POLICY_FETCH_FAILED, domain=domain, detail=problem)]
    findings = []
    if not media_type_ok(fetch.content_type):
        detail = repr(fetch.content_type or "(no Content-Type)")
        findings.append(make_finding(Code.MTA_STS_MEDIA_TYPE, domain=domain, detail=detail))
    policy = parse_sts_policy(fetch.body)
    summary.update(mode=policy.mode, max_age=policy.max_age, mx=list(policy.mx))
    if not policy.valid:
        detail = "; ".join(policy.problems)
        finding = make_finding(
            Code.MTA_STS_POLICY_INVALID, domain=domain, detail=detail, mx_lines=mx_lines
        )
        return [*findings, finding]
    return findings + _assess_policy(domain, policy, mx_hosts)


def _assess_policy(domain: str, policy: StsPolicy, mx_hosts: Sequence[str]) -> list[Finding]:
    findings = []
    if policy.mode == "testing":
        findings.append(make_finding(Code.MTA_STS_MODE_TESTING, domain=domain))
    if policy.mode == "none":
        return [make_finding(Code.MTA_STS_MODE_NONE, domain=domain)]
    missing = uncovered_hosts(policy.mx, mx_hosts)
    if missing:
        lines = "\n".join(f"mx: {host}" for host in missing)
        findings.append(
            make_finding(
                Code.MTA_STS_MX_NOT_COVERED,
                domain=domain,
                detail=", ".join(missing),
                mx_lines=lines,
            )
        )
    if policy.max_age is not None and policy.max_age < SHORT_MAX_AGE:
        detail = str(policy.max_age)
        findings.append(make_finding(Code.MTA_STS_MAX_AGE_SHORT, domain=domain, detail=detail))
    return findings
