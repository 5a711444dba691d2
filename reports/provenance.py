"""Which copy of a report counts when two deliveries claim the same key (pure: no Django, no I/O).

A report is keyed on what its sender *claims* (reporter name, report-id, policy domain, policy
type), so anyone who knows the public report address and a predictable report-id can send a
copy first. The first copy therefore does not simply win: copies with identical content are
duplicates, copies with different content are *conflicts*, all are kept, and exactly one counts
in the figures: the one with the strongest provenance, the later one when equal.

Provenance, strongest first:
- ``DKIM``: an email whose DKIM signature passed for the reporter's domain (``d=`` equal to,
  or a parent or child of, the domain of ``contact-info``). Under ``TLSMON_REPORT_DKIM=require``
  every stored email passed DKIM, and any passing signature ranks here, so an unsigned HTTPS
  copy never displaces it.
- ``HTTPS``: a POST to the tenant's report URL (TLS to us, but nothing vouches for the sender).
- ``UNSIGNED``: an email without a passing (aligned) signature, or a file an operator loaded.

Limit: a forger who signs with a domain of their own *and* names that domain in contact-info
ranks as DKIM too; against that, only the later-wins rule and the conflict shown to the tenant
help. The reporter's name is not a domain, so nothing stronger can be checked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import IntEnum

import orjson


class Provenance(IntEnum):
    UNSIGNED = 1
    HTTPS = 2
    DKIM = 3

    @property
    def label(self) -> str:
        return {1: "unsigned email or file", 2: "HTTPS POST", 3: "DKIM-signed email"}[self]


def _contact_domain(contact_info: str) -> str:
    return contact_info.rpartition("@")[2].strip().strip(">").rstrip(".").lower()


def _aligned(signer: str, contact: str) -> bool:
    signer = signer.rstrip(".").lower()
    if not signer or not contact:
        return False
    return signer == contact or contact.endswith(f".{signer}") or signer.endswith(f".{contact}")


def provenance_of(
    *, channel: str, dkim: dict | None, contact_info: str, dkim_mode: str
) -> Provenance:
    """The provenance of one delivery of a report (see the module docstring)."""
    if channel == "https":
        return Provenance.HTTPS
    if channel != "email" or not dkim or dkim.get("status") != "pass":
        return Provenance.UNSIGNED
    if dkim_mode == "require" or _aligned(dkim.get("domain", ""), _contact_domain(contact_info)):
        return Provenance.DKIM
    return Provenance.UNSIGNED


def beats(new: tuple[int, datetime], old: tuple[int, datetime]) -> bool:
    """Whether a copy with (provenance, received_at) ``new`` displaces ``old``: stronger
    provenance, or equal provenance and received no earlier."""
    return new[0] > old[0] or (new[0] == old[0] and new[1] >= old[1])


def copy_fingerprint(
    *,
    day: date,
    policy_strings: Sequence[str],
    mx_hosts: Sequence[str],
    successful: int,
    failed: int,
    details: Iterable[Sequence],
) -> str:
    """SHA-256 of what a policy copy says, as stored: two deliveries of the same report (other
    bytes, other channel) get the same fingerprint; any change to a count, detail or day does not.
    """
    canonical = [
        day.isoformat(),
        list(policy_strings),
        list(mx_hosts),
        successful,
        failed,
        sorted([list(d) for d in details], key=orjson.dumps),
    ]
    return hashlib.sha256(orjson.dumps(canonical)).hexdigest()
