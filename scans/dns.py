"""The DNS seam of the scanner: one small async interface, one dnspython implementation.

Outcomes are values (``scans.observations.Answer``), never exceptions, because "could not
tell" (SERVFAIL, timeout) must never look like "missing".
"""

from __future__ import annotations

from typing import Protocol

from scans.observations import Answer, MxRecord


class Resolver(Protocol):
    async def txt(self, name: str) -> Answer[str]:
        """TXT strings at ``name``, each record's character-strings joined without spaces."""

    async def mx(self, name: str) -> Answer[MxRecord]: ...

    async def addresses(self, name: str) -> Answer[str]:
        """A and AAAA addresses as text; OK when either type has data."""


def get_resolver() -> Resolver:
    """The resolver built from settings (TLSMON_DNS_NAMESERVERS, _TIMEOUT, _RETRIES)."""
    raise NotImplementedError  # implemented by the DNS helper
