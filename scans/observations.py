"""What a domain check saw on the wire, as plain values (pure: no Django, no I/O).

The I/O layer (``scans.dns``, ``scans.https``) produces these; ``scans.evaluate`` turns them
into a verdict. Keeping the two apart lets the rules be tested with hand-written observations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class Outcome(StrEnum):
    """How a DNS lookup ended. ``ERROR`` (SERVFAIL, timeout, REFUSED) means "could not tell"."""

    OK = "ok"
    NXDOMAIN = "nxdomain"
    NODATA = "nodata"
    ERROR = "error"


@dataclass(frozen=True)
class Answer(Generic[T]):
    """One lookup's result. ``cnames`` lists the CNAME targets followed, in order."""

    name: str
    outcome: Outcome
    records: tuple[T, ...] = ()
    cnames: tuple[str, ...] = ()
    error: str = ""  # "SERVFAIL", "no answer from 192.0.2.1:53 within 5 s", "REFUSED", ...
    ttl: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK


@dataclass(frozen=True)
class MxRecord:
    preference: int
    exchange: str  # lower case, no trailing dot; "" for the null MX target "."


@dataclass(frozen=True)
class PolicyFetch:
    """The MTA-STS policy GET. ``error`` is set when no usable HTTP response arrived."""

    url: str
    status: int | None = None
    content_type: str = ""
    body: str = ""
    error: str = ""  # "refused private address 127.0.0.1", "certificate ...", "timeout", ...
    redirect_to: str = ""  # Location of a 3xx, which is reported and never followed
    truncated: bool = False  # body exceeded the size limit
    elapsed_ms: int = 0
    # The CNAME target that serves mta-sts.<domain>, if any: domains whose policies one host
    # serves share it, so an outage there is one cause (alert grouping), not N.
    served_by: str = ""


@dataclass(frozen=True)
class AuthorizationLookup:
    """TXT at ``<domain>._report._tls.<rua host>`` for one external rua host."""

    rua_host: str
    answer: Answer[str]
    # TXT at ``*._report._tls.<rua host>``: DNS wildcard synthesis is invisible in ``answer``,
    # so the explicit wildcard lookup is what lets a wildcard authorization be labelled.
    wildcard: Answer[str] | None = None


@dataclass(frozen=True)
class Observations:
    """Everything the checker looked up for one domain."""

    domain: str
    mx: Answer[MxRecord]
    addresses: Answer[str] | None = None  # A/AAAA, looked up only when there is no MX RRset
    tlsrpt: Answer[str] | None = None  # TXT at _smtp._tls.<domain>
    mta_sts_txt: Answer[str] | None = None  # TXT at _mta-sts.<domain>
    mta_sts_policy: PolicyFetch | None = None
    authorizations: tuple[AuthorizationLookup, ...] = ()
    tlsmon_hosts: tuple[str, ...] = ()  # TLSMon's report hosts: a rua host there is TLSMon
    # Destinations to put in a fix when the domain has no usable rua of its own (a monitored
    # domain's tenant addresses at TLSMon); empty: an example mailbox at the domain.
    suggested_rua: tuple[str, ...] = ()
    timings_ms: dict[str, int] = field(default_factory=dict)
