"""The HTTPS seam of the scanner: fetching the MTA-STS policy file (RFC 8461 section 3.3).

We open the TLS connection ourselves instead of using an HTTP client library: the name is
resolved through our ``Resolver`` (so tests' DNS server is used), every address is checked
against private, loopback and every other special-purpose range (``scans.addresses``) *before*
connecting (no DNS-rebinding gap), and the socket is pinned to that checked address. h11 does
the HTTP/1.1 framing; redirects are reported, never followed. Every failure becomes
``PolicyFetch.error``: a scan never raises for a bad server.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ssl
import time
from typing import Protocol

import h11

from scans.addresses import is_public_address
from scans.dns import Resolver
from scans.observations import PolicyFetch

POLICY_PATH = "/.well-known/mta-sts.txt"
USER_AGENT = "TLSMon MTA-STS check"


class PolicyFetcher(Protocol):
    async def fetch_policy(self, domain: str) -> PolicyFetch:
        """GET https://mta-sts.<domain>/.well-known/mta-sts.txt, never following redirects."""


class FetchError(Exception):
    """A fetch failure with the human text that goes into ``PolicyFetch.error``."""


class MtaStsFetcher:
    """``PolicyFetcher`` over asyncio streams, TLS (SNI + WebPKI or ``ca_file``) and h11."""

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
        self.ssl_context = ssl.create_default_context(cafile=ca_file or None)
        # RFC 8461 section 3.3 / RFC 6125: the DNS-ID in subjectAltName only, never the CN.
        self.ssl_context.hostname_checks_common_name = False
        self.ssl_context.minimum_version = ssl.TLSVersion.TLSv1_2

    async def fetch_policy(self, domain: str) -> PolicyFetch:
        host = f"mta-sts.{domain.strip().rstrip('.').lower()}"
        url = f"https://{host}{POLICY_PATH}"
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.timeout):
                fields = await self._fetch(host)
            result = PolicyFetch(url=url, **fields)
        except FetchError as exc:
            result = PolicyFetch(url=url, error=str(exc))
        except TimeoutError:
            result = PolicyFetch(url=url, error=f"timeout after {self.timeout:g} s")
        except (OSError, h11.ProtocolError, ValueError) as exc:  # resets, bad names, ...
            result = PolicyFetch(url=url, error=f"fetch failed: {type(exc).__name__}: {exc}")
        elapsed = int((time.monotonic() - started) * 1000)
        return dataclasses.replace(result, elapsed_ms=elapsed)

    async def _fetch(self, host: str) -> dict:
        addresses = await self._addresses(host)
        last_error = ""
        for address in addresses:
            try:
                reader, writer = await asyncio.open_connection(
                    address, self.port, ssl=self.ssl_context, server_hostname=host
                )
            except ssl.SSLCertVerificationError as exc:
                raise FetchError(f"certificate invalid for {host}: {exc.verify_message}") from exc
            except ssl.SSLError as exc:
                raise FetchError(f"TLS handshake with {address} failed: {exc.reason}") from exc
            except ConnectionRefusedError:
                last_error = f"connection refused by {_hostport(address, self.port)}"
                continue
            except OSError as exc:
                last_error = f"cannot connect to {_hostport(address, self.port)}: {exc.strerror}"
                continue
            try:
                return await self._exchange(host, reader, writer)
            finally:
                writer.close()
        raise FetchError(last_error)

    async def _addresses(self, host: str) -> list[str]:
        """The addresses we may connect to, after the private-range check."""
        answer = await self.resolver.addresses(host)
        if not answer.ok:
            detail = answer.error or str(answer.outcome)
            raise FetchError(f"no address for {host} ({detail})")
        allowed = [a for a in answer.records if self.allow_private or is_public_address(a)]
        if not allowed:
            raise FetchError(f"refused private address {answer.records[0]}")
        return allowed

    async def _exchange(
        self, host: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> dict:
        """Send the GET and read one response with h11, keeping at most ``max_bytes``."""
        conn = h11.Connection(our_role=h11.CLIENT)
        headers = [
            ("Host", host),
            ("User-Agent", USER_AGENT),
            ("Accept", "text/plain"),
            ("Connection", "close"),
        ]
        writer.write(conn.send(h11.Request(method="GET", target=POLICY_PATH, headers=headers)))
        writer.write(conn.send(h11.EndOfMessage()))
        await writer.drain()
        fields: dict = {}
        body = bytearray()
        try:
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    conn.receive_data(await _read(reader))
                elif isinstance(event, h11.Response):
                    fields.update(_response_fields(event))
                elif isinstance(event, h11.Data):
                    body += event.data
                    if len(body) > self.max_bytes:
                        fields["truncated"] = True
                        break
                elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
                    break
        except h11.RemoteProtocolError as exc:
            raise FetchError(f"invalid HTTP response from {host}: {exc}") from exc
        fields["body"] = bytes(body[: self.max_bytes]).decode("utf-8", errors="replace")
        return fields


async def _read(reader: asyncio.StreamReader) -> bytes:
    try:
        return await reader.read(65536)
    except ssl.SSLError as exc:
        raise FetchError(f"TLS error while reading: {exc.reason}") from exc
    except ConnectionError as exc:
        raise FetchError(f"connection lost: {exc.strerror or exc}") from exc


def _response_fields(event: h11.Response) -> dict:
    headers = {name.decode("latin-1").lower(): v.decode("latin-1") for name, v in event.headers}
    fields: dict = {
        "status": event.status_code,
        "content_type": headers.get("content-type", ""),
    }
    if 300 <= event.status_code < 400:
        fields["redirect_to"] = headers.get("location", "")
    return fields


def _hostport(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


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
