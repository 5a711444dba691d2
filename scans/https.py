"""The HTTPS seam of the scanner: fetching the MTA-STS policy file (RFC 8461 section 3.3).

The connection goes through ``scans.outbound``, the one outbound path TLSMon has (webhooks use
it too): the name is resolved through our ``Resolver``, every address is checked against
private, loopback and every other special-purpose range before connecting, and the socket is
pinned to that checked address. Redirects are reported, never followed. Every failure becomes
``PolicyFetch.error``: a scan never raises for a bad server.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Protocol

import h11

from scans import outbound
from scans.addresses import is_public_address
from scans.dns import Resolver
from scans.observations import PolicyFetch

__all__ = ["MtaStsFetcher", "PolicyFetcher", "get_policy_fetcher", "is_public_address"]

POLICY_PATH = "/.well-known/mta-sts.txt"
USER_AGENT = "TLSMon MTA-STS check"


class PolicyFetcher(Protocol):
    async def fetch_policy(self, domain: str) -> PolicyFetch:
        """GET https://mta-sts.<domain>/.well-known/mta-sts.txt, never following redirects."""


class MtaStsFetcher:
    """``PolicyFetcher`` over ``scans.outbound`` (TLS with SNI + WebPKI or ``ca_file``)."""

    def __init__(
        self,
        resolver: Resolver,
        *,
        timeout: float = 10.0,
        max_bytes: int = 64 * 1024,
        allow_private: bool = False,
        port: int = 443,
        ca_file: str = "",
    ):
        self.resolver = resolver
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.allow_private = allow_private
        self.port = port
        self.ssl_context = outbound.tls_context(ca_file)

    async def fetch_policy(self, domain: str) -> PolicyFetch:
        host = f"mta-sts.{domain.strip().rstrip('.').lower()}"
        url = f"https://{host}{POLICY_PATH}"
        started = time.monotonic()
        served_by = ""
        try:
            async with asyncio.timeout(self.timeout):
                target = await outbound.resolve(
                    host, self.resolver, allow_private=self.allow_private
                )
                served_by = target.cnames[-1] if target.cnames else ""
                response = await outbound.request(
                    target=target,
                    port=self.port,
                    method="GET",
                    path=POLICY_PATH,
                    ssl_context=self.ssl_context,
                    headers=[("User-Agent", USER_AGENT), ("Accept", "text/plain")],
                    max_bytes=self.max_bytes,
                )
            result = _policy_fetch(url, response)
        except outbound.OutboundError as exc:
            result = PolicyFetch(url=url, error=str(exc))
        except TimeoutError:
            result = PolicyFetch(url=url, error=f"timeout after {self.timeout:g} s")
        except (OSError, h11.ProtocolError, ValueError) as exc:  # resets, bad names, ...
            result = PolicyFetch(url=url, error=f"fetch failed: {type(exc).__name__}: {exc}")
        elapsed = int((time.monotonic() - started) * 1000)
        return dataclasses.replace(result, elapsed_ms=elapsed, served_by=served_by)


def _policy_fetch(url: str, response: outbound.Response) -> PolicyFetch:
    redirect = response.headers.get("location", "") if 300 <= response.status < 400 else ""
    return PolicyFetch(
        url=url,
        status=response.status,
        content_type=response.headers.get("content-type", ""),
        body=response.body.decode("utf-8", errors="replace"),
        redirect_to=redirect,
        truncated=response.truncated,
    )


def get_policy_fetcher(resolver: Resolver | None = None) -> MtaStsFetcher:
    """The fetcher built from settings; the private-address block is off only in tests."""
    from django.conf import settings

    from scans.dns import get_resolver

    return MtaStsFetcher(
        resolver if resolver is not None else get_resolver(),
        timeout=settings.TLSMON_MTA_STS_TIMEOUT,
        max_bytes=settings.TLSMON_MTA_STS_MAX_BYTES,
        allow_private=settings.TLSMON_FETCH_ALLOW_PRIVATE,
        port=settings.TLSMON_MTA_STS_PORT,
        ca_file=settings.TLSMON_MTA_STS_CA_FILE,
    )
