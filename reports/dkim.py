"""DKIM check of report emails (RFC 8460 section 3): the I/O seam around dkimpy.

RFC 8460 says reports by mail MUST carry a valid DKIM signature of the reporting domain and
that others MUST be ignored. Real reporters' keys often lack ``s=tlsrpt`` (protocol.md §3), so
that flag is not required, and the default policy (``TLSMON_REPORT_DKIM=record``) only records
the outcome on the submission; ``require`` rejects what does not pass, ``off`` skips the
lookup. ``temperror`` (the key lookup failed: SERVFAIL, timeout) is never read as ``fail``.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

import dkim
import dns.exception
import dns.nameserver
import dns.resolver

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DkimResult:
    status: str  # "pass", "fail", "none" (unsigned), "temperror" (key lookup failed)
    domain: str = ""  # d= of the first signature
    selector: str = ""  # s= of the first signature
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _txt_lookup(nameservers: list[tuple[str, int]], timeout: float, failures: list[str]):
    """dkimpy's ``dnsfunc``: the key TXT as bytes, None when absent; lookup failures are
    noted in ``failures`` (and raised as dkimpy's DnsTimeoutError) so they read as temperror."""
    resolver = dns.resolver.Resolver(configure=not nameservers)
    if nameservers:
        resolver.nameservers = [dns.nameserver.Do53Nameserver(h, p) for h, p in nameservers]
    resolver.lifetime = timeout

    def lookup(name: bytes, timeout: float = timeout) -> bytes | None:
        try:
            answer = resolver.resolve(name.decode("ascii", "replace"), "TXT")
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return None
        except (dns.exception.DNSException, OSError) as exc:
            failures.append(f"{type(exc).__name__}: {exc}")
            raise dkim.DnsTimeoutError(str(exc)) from exc
        return b"".join(b"".join(rdata.strings) for rdata in answer)

    return lookup


def _first_signature(message: bytes) -> tuple[str, str]:
    try:
        signer = dkim.DKIM(message)
        prep = signer.verify_headerprep(0)
    except dkim.DKIMException:
        return "", ""
    if not prep:
        return "", ""
    sig = prep[0]
    return sig.get(b"d", b"").decode("ascii", "replace"), sig.get(b"s", b"").decode(
        "ascii", "replace"
    )


def verify_report_dkim(
    message: bytes, *, nameservers: list[tuple[str, int]], timeout: float
) -> DkimResult:
    """Verify the message's first DKIM signature; never raises."""
    if not any(line.lower().startswith(b"dkim-signature:") for line in message.splitlines()[:200]):
        return DkimResult("none", detail="the message has no DKIM-Signature header")
    domain, selector = _first_signature(message)
    failures: list[str] = []
    try:
        verifier = dkim.DKIM(message, timeout=timeout, tlsrpt=True)
        verified = verifier.verify(dnsfunc=_txt_lookup(nameservers, timeout, failures))
    except dkim.DKIMException as exc:
        return DkimResult("fail", domain, selector, f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # dkimpy on malformed input: a failed check, not a crash
        log.warning("DKIM check crashed: %s", exc)
        return DkimResult("fail", domain, selector, f"{type(exc).__name__}: {exc}")
    if verified:
        return DkimResult("pass", domain, selector)
    if failures:
        return DkimResult("temperror", domain, selector, failures[0])
    return DkimResult("fail", domain, selector, "signature or key does not verify")
