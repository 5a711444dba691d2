"""The client's IP address for rate limits and login lockouts.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only as far as
it was appended by proxies we trust (``TLSMON_TRUSTED_PROXIES``, a list of addresses or
networks). The header is read from the right: each hop added by a trusted proxy is skipped,
and the first hop that is not a trusted proxy is the client. Anything a client puts in the
header itself sits to the left of that and is never reached, so a forged header cannot
give one client a fresh rate-limit bucket per request. With no trusted proxies the header is
ignored and the socket's peer (``REMOTE_ADDR``) is the client.

Used by the API throttles (api/throttling.py) and by the login lockout (django-axes, through
``AXES_CLIENT_IP_CALLABLE``); any other per-client limit should call ``client_address`` too.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(request: HttpRequest) -> str:
    """The client's address as text (``""`` only if the server gave no peer address)."""
    peer = parse_address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return request.META.get("REMOTE_ADDR", "")
    trusted = _networks(tuple(settings.TLSMON_TRUSTED_PROXIES))
    client = peer
    if _is_trusted(peer, trusted):
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        for hop in reversed(hops):
            address = parse_address(hop)
            if address is None:  # garbage: stop at the last hop a trusted proxy vouched for
                break
            client = address
            if not _is_trusted(address, trusted):
                break
    return str(client)


def parse_address(text: str) -> Address | None:
    """``203.0.113.7``, ``203.0.113.7:4711``, ``2001:db8::1`` or ``[2001:db8::1]:443``."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # IPv4 with a port, as some proxies write it
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _networks(items: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


def _is_trusted(address: Address, trusted: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in trusted)
