"""The catalogue of finding codes: severity, coverage gap and the text shown for one domain (pure).

Codes are stable lower snake case (protocol.md section 8 plus our MTA-STS and MX codes) and
never reused. Every rule module builds its findings through ``make_finding`` so the wording, the
suggested fix and the severity of a code live in one table (documented in docs/scanning.md).
MTA-STS problems are warnings or info, never critical: TLS-RPT also reports on DANE and plain
STARTTLS sessions, so a domain without (working) MTA-STS still gets useful reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.vocabulary import Gap, Severity
from scans.results import Finding


class Code(StrEnum):
    # TLS-RPT record (protocol.md section 8)
    MISSING_RECORD = "missing_record"
    VERSION_INVALID = "version_invalid"
    MULTIPLE_RECORDS = "multiple_records"
    RUA_MISSING = "rua_missing"
    RUA_INVALID_URI = "rua_invalid_uri"
    SYNTAX_INVALID = "syntax_invalid"
    STRICT_PARSER_RISK = "strict_parser_risk"
    RUA_UNENCODED_CHAR = "rua_unencoded_char"
    UNKNOWN_TAG = "unknown_tag"
    DUPLICATE_RUA = "duplicate_rua"
    CNAME_ON_SMTP_TLS = "cname_on_smtp_tls"
    RUA_UNAUTHORIZED_EXTERNAL = "rua_unauthorized_external"
    RUA_AUTHORIZATION_UNKNOWN = "rua_authorization_unknown"
    # MX situations and DNS
    NULL_MX = "null_mx"
    NULL_MX_MIXED = "null_mx_mixed"
    NO_MX = "no_mx"
    MX_NXDOMAIN = "mx_nxdomain"
    DNS_ERROR = "dns_error"
    # MTA-STS (RFC 8461)
    MTA_STS_COMPANION_MISSING = "mta_sts_companion_missing"
    MTA_STS_LOOKUP_ERROR = "mta_sts_lookup_error"
    MTA_STS_TXT_INVALID = "mta_sts_txt_invalid"
    MTA_STS_MULTIPLE_RECORDS = "mta_sts_multiple_records"
    MTA_STS_POLICY_FETCH_FAILED = "mta_sts_policy_fetch_failed"
    MTA_STS_REDIRECT = "mta_sts_redirect"
    MTA_STS_MEDIA_TYPE = "mta_sts_media_type"
    MTA_STS_POLICY_INVALID = "mta_sts_policy_invalid"
    MTA_STS_MODE_TESTING = "mta_sts_mode_testing"
    MTA_STS_MODE_NONE = "mta_sts_mode_none"
    MTA_STS_MX_NOT_COVERED = "mta_sts_mx_not_covered"
    MTA_STS_MAX_AGE_SHORT = "mta_sts_max_age_short"


@dataclass(frozen=True)
class Spec:
    """One catalogue row; ``message`` and ``fix`` are ``str.format`` templates."""

    severity: Severity
    gap: Gap | None
    message: str
    fix: str


_C, _W, _I = Severity.CRITICAL, Severity.WARNING, Severity.INFO
_RECORD = '_smtp._tls.{domain}. 3600 IN TXT "v=TLSRPTv1; rua={rua}"'
_PUBLISH = "Publish exactly one record: " + _RECORD + "{rua_note}"
_STS_TXT = '_mta-sts.{domain}. 3600 IN TXT "v=STSv1; id={sts_id}"'
_POLICY = "https://mta-sts.{domain}/.well-known/mta-sts.txt"
_VENDOR = (
    " This is a vendor convention borrowed from DMARC, not an RFC 8460 requirement: "
    "RFC 8460 senders deliver to external destinations without it, and it never changes "
    "the verdict."
)

CATALOGUE: dict[Code, Spec] = {
    Code.MISSING_RECORD: Spec(
        _C,
        Gap.NO_RECORD,
        "{domain} publishes no TLS-RPT record at _smtp._tls.{domain}, so senders send no "
        "TLS reports.{detail}",
        _PUBLISH,
    ),
    Code.VERSION_INVALID: Spec(
        _C,
        Gap.NO_RECORD,
        "The TXT record at _smtp._tls.{domain} does not start with the exact, case-sensitive "
        "'v=TLSRPTv1;', so senders discard it.{detail}",
        "Replace it with: " + _RECORD + "{rua_note}",
    ),
    Code.MULTIPLE_RECORDS: Spec(
        _C,
        Gap.NO_RECORD,
        "_smtp._tls.{domain} has {detail} TLS-RPT records; senders treat anything but exactly "
        "one as 'no TLS-RPT' and send no reports.",
        "Delete all but one and merge the destinations into it: " + _RECORD + "{rua_note}",
    ),
    Code.RUA_MISSING: Spec(
        _C,
        Gap.BROKEN_RECORD,
        "The TLS-RPT record of {domain} has no rua= destination (the lower-case tag is "
        "required), so there is nowhere to send reports.{detail}",
        "Add a destination: " + _RECORD + "{rua_note}",
    ),
    Code.RUA_INVALID_URI: Spec(
        _C,
        Gap.BROKEN_RECORD,
        "A rua destination of {domain} is not a usable mailto: or https: URI: {detail}",
        "Use mailto:<mailbox> or https://<host>/<path>, e.g. " + _RECORD + "{rua_note}",
    ),
    Code.SYNTAX_INVALID: Spec(
        _W,
        Gap.BROKEN_RECORD,
        "The TLS-RPT record of {domain} breaks the RFC 8460 grammar ({detail}); lenient senders "
        "still find the destination, strict ones may ignore the record.",
        "Rewrite it exactly as: " + _RECORD,
    ),
    Code.STRICT_PARSER_RISK: Spec(
        _W,
        Gap.BROKEN_RECORD,
        "The TLS-RPT setup of {domain} is read differently by strict and lenient senders: {detail}",
        "Publish one record in the canonical form: " + _RECORD,
    ),
    Code.RUA_UNENCODED_CHAR: Spec(
        _W,
        Gap.BROKEN_RECORD,
        "The rua URI {detail} of {domain} contains a raw '!', which RFC 8460 requires to be "
        "percent-encoded.",
        "Write '!' as %21: " + _RECORD,
    ),
    Code.UNKNOWN_TAG: Spec(
        _I,
        None,
        "The TLS-RPT record of {domain} has a tag senders ignore: {detail}. Tags are "
        "case-sensitive; only v= and rua= are defined.",
        "Remove the tag (or write rua= in lower case if it was meant as the destination).",
    ),
    Code.DUPLICATE_RUA: Spec(
        _I,
        None,
        "The TLS-RPT record of {domain} repeats destinations: {detail}. RFC 8460 does not say "
        "how senders merge them, and a second URI is no guaranteed fallback.",
        "List every destination once, in a single rua= tag: " + _RECORD,
    ),
    Code.CNAME_ON_SMTP_TLS: Spec(
        _I,
        None,
        "_smtp._tls.{domain} is a CNAME to {detail}. That is legal (senders follow it); the "
        "record found at the target is what counts.",
        "",
    ),
    Code.RUA_UNAUTHORIZED_EXTERNAL: Spec(
        _I,
        Gap.EXTERNAL_UNAUTHORIZED,
        "The rua host {detail} is outside {domain} and publishes no authorization record."
        + _VENDOR,
        'If your report processor asks for it: {auth_name}. 3600 IN TXT "v=TLSRPTv1;"',
    ),
    Code.RUA_AUTHORIZATION_UNKNOWN: Spec(
        _I,
        None,
        "Could not look up the authorization record {detail} for {domain} (DNS error)." + _VENDOR,
        "",
    ),
    Code.NULL_MX: Spec(
        _I,
        None,
        "{domain} publishes a null MX (RFC 7505): it accepts no mail, so TLS-RPT does not apply.",
        "",
    ),
    Code.NULL_MX_MIXED: Spec(
        _W,
        None,
        "The MX set of {domain} misuses the null MX target '.': {detail}. A null MX must be the "
        "only MX record, with preference 0 (RFC 7505).",
        "Either publish only '{domain}. 3600 IN MX 0 .' (no mail) or remove the '.' record.",
    ),
    Code.NO_MX: Spec(
        _I,
        None,
        "{domain} has no MX and no A/AAAA records: there is nowhere to deliver mail, so "
        "TLS-RPT does not apply.",
        "",
    ),
    Code.MX_NXDOMAIN: Spec(
        _W,
        None,
        "{domain} does not exist in DNS (NXDOMAIN): it receives no mail, so there is no "
        "TLS-RPT verdict. Check the spelling or remove the domain.",
        "Register/delegate {domain}, or remove it from the monitored domains.",
    ),
    Code.DNS_ERROR: Spec(
        _W,
        Gap.DNS_ERROR,
        "DNS could not answer for {domain} ({detail}); this is 'could not tell', not a failure.",
        "'No answer from ...' names the resolver that was asked: check that it is reachable "
        "(TLSMON_DNS_NAMESERVERS, or check_domain --nameserver). SERVFAIL usually means the "
        "authoritative servers of {domain} did not answer that resolver.",
    ),
    Code.MTA_STS_COMPANION_MISSING: Spec(
        _I,
        None,
        "{domain} has no MTA-STS record. TLS-RPT works without it (DANE, STARTTLS), but with "
        "MTA-STS the reports also tell you about policy failures.",
        "Serve a policy at " + _POLICY + " (start with mode: testing) and publish " + _STS_TXT,
    ),
    Code.MTA_STS_LOOKUP_ERROR: Spec(
        _I,
        None,
        "The MTA-STS record _mta-sts.{domain} could not be looked up ({detail}).",
        "",
    ),
    Code.MTA_STS_TXT_INVALID: Spec(
        _W,
        None,
        "The MTA-STS record of {domain} is invalid ({detail}); senders treat the domain as "
        "having no MTA-STS.",
        "Publish: " + _STS_TXT + " (id: 1-32 letters and digits).",
    ),
    Code.MTA_STS_MULTIPLE_RECORDS: Spec(
        _W,
        None,
        "_mta-sts.{domain} has {detail} 'v=STSv1' records; senders ignore MTA-STS unless there "
        "is exactly one.",
        "Keep one: " + _STS_TXT,
    ),
    Code.MTA_STS_POLICY_FETCH_FAILED: Spec(
        _W,
        None,
        "The MTA-STS policy of {domain} could not be fetched: {detail}.",
        "Serve " + _POLICY + " over HTTPS with a valid certificate for mta-sts.{domain} and "
        "HTTP 200.",
    ),
    Code.MTA_STS_REDIRECT: Spec(
        _W,
        None,
        "The MTA-STS policy URL of {domain} redirects ({detail}); senders must not follow "
        "redirects (RFC 8461 section 3.3).",
        "Serve the policy directly at " + _POLICY + " with HTTP 200.",
    ),
    Code.MTA_STS_MEDIA_TYPE: Spec(
        _W,
        None,
        "The MTA-STS policy of {domain} is served as {detail}; senders expect text/plain "
        "(charset utf-8 or us-ascii).",
        "Serve it with 'Content-Type: text/plain; charset=utf-8'.",
    ),
    Code.MTA_STS_POLICY_INVALID: Spec(
        _W,
        None,
        "The MTA-STS policy of {domain} is invalid: {detail}.",
        "Serve at " + _POLICY + ":\nversion: STSv1\nmode: testing\n{mx_lines}\nmax_age: 604800",
    ),
    Code.MTA_STS_MODE_TESTING: Spec(
        _I,
        None,
        "The MTA-STS policy of {domain} is in testing mode: failures are reported but mail is "
        "still delivered without protection.",
        "When the reports show no failures, set 'mode: enforce' in the policy and change the "
        "id in " + _STS_TXT,
    ),
    Code.MTA_STS_MODE_NONE: Spec(
        _I,
        None,
        "The MTA-STS policy of {domain} has mode none: senders treat it as no policy.",
        "Set 'mode: testing' (then enforce) if the opt-out was not intended.",
    ),
    Code.MTA_STS_MX_NOT_COVERED: Spec(
        _W,
        None,
        "The MTA-STS policy of {domain} does not cover MX host(s) {detail}; under enforce, "
        "senders would refuse to deliver to them.",
        "Add to the policy:\n{mx_lines}\nthen change the id in " + _STS_TXT,
    ),
    Code.MTA_STS_MAX_AGE_SHORT: Spec(
        _I,
        None,
        "The MTA-STS max_age of {domain} is {detail} seconds; RFC 8461 expects weeks or more, "
        "so a blocked fetch soon leaves senders without the policy.",
        "Set 'max_age: 604800' (one week) or more, up to 31557600.",
    ),
}


# Codes whose message ends with an optional sentence of detail.
_TRAILING_DETAIL = frozenset({Code.MISSING_RECORD, Code.VERSION_INVALID, Code.RUA_MISSING})


def example_rua(domain: str) -> str:
    """The destination suggested when the domain has no usable one of its own."""
    return f"mailto:tlsrpt@{domain}"


def make_finding(
    code: Code,
    *,
    domain: str,
    detail: str = "",
    severity: Severity | None = None,
    rua: tuple[str, ...] = (),
    **extra: str,
) -> Finding:
    """Fill the catalogue text for ``domain``. Without a known ``rua`` the fix suggests
    ``mailto:tlsrpt@<domain>`` and says that it is an example."""
    spec = CATALOGUE[code]
    context = {
        "domain": domain,
        "detail": detail,
        "rua": ",".join(rua) if rua else example_rua(domain),
        "rua_note": ""
        if rua
        else f" (tlsrpt@{domain} is an example: use a mailbox or HTTPS endpoint that "
        "receives your reports)",
        "sts_id": "20260101T000000",
        "mx_lines": "mx: mail." + domain,
        "auth_name": "",
    }
    context.update(extra)
    if code in _TRAILING_DETAIL and detail:
        context["detail"] = " " + detail
    return Finding(
        code=str(code),
        severity=severity or spec.severity,
        message=spec.message.format(**context),
        fix=spec.fix.format(**context),
    )
