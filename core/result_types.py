"""The result types of RFC 8460 section 4.3, each with a short label and a plain explanation.

Report pages and digests show these next to the raw code, so a reader who does not know the
RFC can tell what a sender saw. Codes a sender invents are shown as they are (``describe``).
"""

from __future__ import annotations

from typing import NamedTuple


class ResultType(NamedTuple):
    code: str
    label: str
    explanation: str
    kind: str  # "negotiation", "policy" or "general" (the RFC's grouping)


RESULT_TYPES: dict[str, ResultType] = {
    rt.code: rt
    for rt in (
        ResultType(
            "starttls-not-supported",
            "STARTTLS not offered",
            "The receiving MX host did not offer STARTTLS, so the sender could not encrypt.",
            "negotiation",
        ),
        ResultType(
            "certificate-host-mismatch",
            "Certificate name mismatch",
            "The MX host's certificate does not name the host the sender connected to.",
            "negotiation",
        ),
        ResultType(
            "certificate-expired",
            "Certificate expired",
            "The MX host presented a certificate whose validity period has ended.",
            "negotiation",
        ),
        ResultType(
            "certificate-not-trusted",
            "Certificate not trusted",
            "The MX host's certificate does not chain to a root the sender trusts "
            "(self-signed, or an intermediate certificate is missing).",
            "negotiation",
        ),
        ResultType(
            "validation-failure",
            "Validation failure",
            "Some other error stopped the sender from validating the connection or the policy; "
            "the failure details' additional information usually says which.",
            "general",
        ),
        ResultType(
            "tlsa-invalid",
            "TLSA record invalid",
            "The DANE TLSA record for the MX host is malformed or does not match its certificate.",
            "policy",
        ),
        ResultType(
            "dnssec-invalid",
            "DNSSEC invalid",
            "The DNSSEC signatures for the domain or MX host could not be validated.",
            "policy",
        ),
        ResultType(
            "dane-required",
            "DANE required but missing",
            "The sender requires DANE for this domain but found no usable TLSA records.",
            "policy",
        ),
        ResultType(
            "sts-policy-fetch-error",
            "MTA-STS policy not fetchable",
            "The sender found an MTA-STS record but could not fetch the policy over HTTPS "
            "(host not resolving, connection refused, timeout or HTTP error).",
            "policy",
        ),
        ResultType(
            "sts-policy-invalid",
            "MTA-STS policy invalid",
            "The MTA-STS policy file was fetched but could not be parsed or is not valid.",
            "policy",
        ),
        ResultType(
            "sts-webpki-invalid",
            "MTA-STS host certificate invalid",
            "The HTTPS certificate of the mta-sts host did not validate, so the policy was "
            "not trusted.",
            "policy",
        ),
    )
}


def describe(code: str) -> ResultType:
    """The known result type, or an entry that says the sender used a code outside RFC 8460."""
    known = RESULT_TYPES.get(code)
    if known:
        return known
    return ResultType(
        code,
        code,
        "A result type that RFC 8460 does not define; the sender's own code is shown as sent.",
        "general",
    )
