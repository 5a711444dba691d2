"""Zone contents for scan tests: a domain in each situation the scanner must tell apart."""

from __future__ import annotations

from tests.scans.servers import PolicyResponse


def good_domain(zone: str, *, rua: str | None = None) -> list[str]:
    """MX, a valid TLS-RPT record and an MTA-STS TXT whose policy covers the MX."""
    rua = rua or f"mailto:tlsrpt@{zone}"
    return [
        f"@ MX 10 mx1.{zone}.",
        "mx1 A 192.0.2.10",
        f'_smtp._tls TXT "v=TLSRPTv1; rua={rua}"',
        '_mta-sts TXT "v=STSv1; id=20261123"',
        "mta-sts A 127.0.0.1",
    ]


def good_policy(zone: str, mode: str = "enforce") -> PolicyResponse:
    body = f"version: STSv1\nmode: {mode}\nmx: mx1.{zone}\nmax_age: 604800\n"
    return PolicyResponse(body=body)


def no_record_domain(zone: str) -> list[str]:
    return [f"@ MX 10 mx1.{zone}.", "mx1 A 192.0.2.10"]
