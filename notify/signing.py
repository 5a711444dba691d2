"""Webhook signatures (pure: no Django, no I/O).

Each request carries ``TLSMon-Signature: t=<unix seconds>,v1=<hex>``, where ``v1`` is
HMAC-SHA256 with the webhook's secret over ``<t>.<raw body>``. Signing the timestamp with the
body lets a receiver refuse a replayed request: it checks the signature, then that ``t`` is
recent. README.md shows a receiver's verification in Python.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

HEADER = "TLSMon-Signature"
DEFAULT_TOLERANCE = 300  # seconds a receiver should accept between t and its own clock


class SignatureError(ValueError):
    """Why a signature header does not verify (for the receiver's log)."""


def new_secret() -> str:
    """A webhook secret: 256 random bits, prefixed so it is recognisable in a config file."""
    return "whsec_" + secrets.token_hex(32)


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """The ``TLSMon-Signature`` value for ``body`` sent at ``timestamp``."""
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def verify(
    secret: str, header: str, body: bytes, *, now: int, tolerance: int = DEFAULT_TOLERANCE
) -> int:
    """Check a ``TLSMon-Signature`` header; returns its timestamp or raises ``SignatureError``.

    Several ``v1`` values are accepted (any may match), so a secret can be rotated later.
    """
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            fields.setdefault(name, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        raise SignatureError("no t=<unix time> in the signature header") from None
    if not fields.get("v1"):
        raise SignatureError("no v1=<hex> in the signature header")
    expected = _digest(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, value) for value in fields["v1"]):
        raise SignatureError("signature does not match the body")
    if abs(now - timestamp) > tolerance:
        raise SignatureError(f"timestamp is {abs(now - timestamp)} s away from now")
    return timestamp
