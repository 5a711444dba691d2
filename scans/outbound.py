"""The one way TLSMon connects to a host that a tenant named: the MTA-STS policy fetch
(``scans.https``) and webhook deliveries (``notify.webhooks``) both come through here.

The host name is resolved through our ``Resolver`` (tests point it at their DNS server), every
address is checked against private, loopback and every other special-purpose range
(``scans.addresses``) *before* connecting, and the socket is pinned to the checked address, so
a DNS answer that changes between the check and the connection (rebinding) gains nothing. h11
does the HTTP/1.1 framing; redirects are returned, never followed. Only the test setting
``TLSMON_FETCH_ALLOW_PRIVATE`` lets loopback and private addresses through.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from dataclasses import dataclass

import h11

from scans.addresses import is_public_address
from scans.dns import Resolver


class OutboundError(Exception):
    """A refused or failed connection, with the human text a caller records."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    truncated: bool = False


def _ip_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


@dataclass(frozen=True)
class Target:
    """Where ``host`` may be reached: its checked addresses and the CNAMEs followed to them."""

    host: str
    addresses: tuple[str, ...]
    cnames: tuple[str, ...] = ()


async def resolve(host: str, resolver: Resolver, *, allow_private: bool) -> Target:
    """The addresses of ``host`` we may connect to; raises ``OutboundError`` when none."""
    literal = _ip_literal(host)
    cnames: tuple[str, ...] = ()
    if literal is not None:
        records: tuple[str, ...] = (literal,)
    else:
        answer = await resolver.addresses(host)
        if not answer.ok:
            detail = answer.error or str(answer.outcome)
            raise OutboundError(f"no address for {host} ({detail})")
        records, cnames = answer.records, answer.cnames
    allowed = tuple(a for a in records if allow_private or is_public_address(a))
    if not allowed:
        raise OutboundError(f"refused private address {records[0]}")
    return Target(host, allowed, cnames)


def hostport(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


async def connect_pinned(
    host: str, addresses: tuple[str, ...], port: int, ssl_context: ssl.SSLContext | None
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Connect to the first checked address that answers; TLS (SNI = ``host``) if a context
    is given. A certificate or handshake error stops at once: another address of the same
    name would present the same certificate."""
    last_error = ""
    for address in addresses:
        try:
            return await asyncio.open_connection(
                address,
                port,
                ssl=ssl_context,
                server_hostname=host if ssl_context is not None else None,
            )
        except ssl.SSLCertVerificationError as exc:
            raise OutboundError(f"certificate invalid for {host}: {exc.verify_message}") from exc
        except ssl.SSLError as exc:
            raise OutboundError(f"TLS handshake with {address} failed: {exc.reason}") from exc
        except ConnectionRefusedError:
            last_error = f"connection refused by {hostport(address, port)}"
        except OSError as exc:
            last_error = f"cannot connect to {hostport(address, port)}: {exc.strerror}"
    raise OutboundError(last_error)


async def exchange(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    *,
    host: str,
    method: str,
    target: str,
    headers: list[tuple[str, str]],
    body: bytes = b"",
    max_bytes: int = 64 * 1024,
) -> Response:
    """Send one request and read one response with h11, keeping at most ``max_bytes``."""
    conn = h11.Connection(our_role=h11.CLIENT)
    all_headers = [("Host", host), *headers, ("Connection", "close")]
    if body or method == "POST":
        all_headers.append(("Content-Length", str(len(body))))
    writer.write(conn.send(h11.Request(method=method, target=target, headers=all_headers)))
    if body:
        writer.write(conn.send(h11.Data(data=body)))
    writer.write(conn.send(h11.EndOfMessage()))
    await writer.drain()
    status, response_headers, received, truncated = 0, {}, bytearray(), False
    try:
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(await _read(reader))
            elif isinstance(event, h11.Response):
                status = event.status_code
                response_headers = {
                    n.decode("latin-1").lower(): v.decode("latin-1") for n, v in event.headers
                }
            elif isinstance(event, h11.Data):
                received += event.data
                if len(received) > max_bytes:
                    truncated = True
                    break
            elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
                break
    except h11.RemoteProtocolError as exc:
        raise OutboundError(f"invalid HTTP response from {host}: {exc}") from exc
    if not status:
        raise OutboundError(f"no HTTP response from {host}")
    return Response(status, response_headers, bytes(received[:max_bytes]), truncated)


async def _read(reader: asyncio.StreamReader) -> bytes:
    try:
        return await reader.read(65536)
    except ssl.SSLError as exc:
        raise OutboundError(f"TLS error while reading: {exc.reason}") from exc
    except ConnectionError as exc:
        raise OutboundError(f"connection lost: {exc.strerror or exc}") from exc


async def request(
    *,
    target: Target,
    port: int,
    method: str,
    path: str,
    ssl_context: ssl.SSLContext | None,
    headers: list[tuple[str, str]],
    body: bytes = b"",
    max_bytes: int = 64 * 1024,
) -> Response:
    """Connect pinned to a ``resolve``d target, send one request and read the answer."""
    reader, writer = await connect_pinned(target.host, target.addresses, port, ssl_context)
    try:
        return await exchange(
            reader,
            writer,
            host=target.host,
            method=method,
            target=path,
            headers=headers,
            body=body,
            max_bytes=max_bytes,
        )
    finally:
        writer.close()


def tls_context(ca_file: str = "") -> ssl.SSLContext:
    """WebPKI (or the test CA in ``ca_file``), TLS 1.2 or later, the name checked in
    subjectAltName only (RFC 6125; RFC 8461 section 3.3), never the CN."""
    context = ssl.create_default_context(cafile=ca_file or None)
    context.hostname_checks_common_name = False
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context
