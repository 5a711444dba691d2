"""The HTTPS seam of the scanner: fetching the MTA-STS policy file (RFC 8461 section 3.3)."""

from __future__ import annotations

from typing import Protocol

from scans.observations import PolicyFetch


class PolicyFetcher(Protocol):
    async def fetch_policy(self, domain: str) -> PolicyFetch:
        """GET https://mta-sts.<domain>/.well-known/mta-sts.txt, never following redirects."""


def get_policy_fetcher() -> PolicyFetcher:
    raise NotImplementedError  # implemented by the HTTPS helper
