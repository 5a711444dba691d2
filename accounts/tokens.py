"""API token format and hashing (pure: no Django, no I/O).

A token reads ``tlsm_<lookup>_<secret>``: ``tlsm_`` tells scanners and people what it is,
``lookup`` (8 characters, stored in clear as the visible prefix) finds the row with one indexed
query, and only the SHA-256 digest of the whole token is stored. A fast hash is right here:
the secret has 190 random bits, so it cannot be guessed from the digest, unlike a password.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass

TOKEN_PREFIX = "tlsm_"
LOOKUP_LENGTH = 8
SECRET_LENGTH = 32
_ALPHABET = string.ascii_letters + string.digits
_TOKEN_RE = re.compile(
    rf"{TOKEN_PREFIX}(?P<lookup>[A-Za-z0-9]{{{LOOKUP_LENGTH}}})_[A-Za-z0-9]{{{SECRET_LENGTH}}}"
)


@dataclass(frozen=True)
class NewToken:
    plaintext: str  # shown to the user once, never stored
    lookup: str
    digest: str

    @property
    def prefix(self) -> str:
        return f"{TOKEN_PREFIX}{self.lookup}"


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def token_digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def generate_token() -> NewToken:
    plaintext = f"{TOKEN_PREFIX}{_random(LOOKUP_LENGTH)}_{_random(SECRET_LENGTH)}"
    return NewToken(
        plaintext=plaintext, lookup=plaintext[5 : 5 + LOOKUP_LENGTH], digest=token_digest(plaintext)
    )


def token_lookup(plaintext: str) -> str | None:
    """The lookup part of a well-formed token, or None for anything else."""
    match = _TOKEN_RE.fullmatch(plaintext)
    return match.group("lookup") if match else None


def digest_matches(plaintext: str, stored_digest: str) -> bool:
    return hmac.compare_digest(token_digest(plaintext), stored_digest)


def generate_invitation_token() -> tuple[str, str]:
    """A new invitation link secret and its digest: 256 random bits, URL-safe; only the digest
    is stored, so a copy of the database holds no working link."""
    plaintext = secrets.token_urlsafe(32)
    return plaintext, token_digest(plaintext)
