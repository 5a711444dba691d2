"""Normalize and validate a domain name typed by a user (pure: no Django, no I/O).

The stored form is the A-label (ASCII, lower case, no trailing dot) because that is what DNS
and TLS-RPT reports use (RFC 8460 §4.4 policy-domain is an A-label); the Unicode form is kept
for display. A bare public suffix (``com``, ``co.uk``) is refused: nobody can publish a
TLS-RPT record for it. Only the ICANN section of the Public Suffix List counts, so a domain
under a private suffix such as ``example.github.io`` or ``blogspot.com`` itself is accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import idna
from publicsuffixlist import PublicSuffixList

MAX_NAME_LENGTH = 253
MAX_LABEL_LENGTH = 63
_LDH_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


class DomainNameError(ValueError):
    """The text is not a usable domain name; the message says why, for the user."""


@dataclass(frozen=True)
class DomainName:
    ascii: str  # A-label form, what we store and query
    unicode: str  # U-label form, what we display

    def __str__(self) -> str:
        return self.ascii


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    # accept_unknown=False: only real ICANN suffixes count, so "localhost" is reported as a
    # single label rather than as a public suffix.
    return PublicSuffixList(only_icann=True, accept_unknown=False)


def normalize_domain_name(text: str) -> DomainName:
    """Return the normalized name, or raise DomainNameError saying what is wrong."""
    name = _strip_decoration(text)
    ascii_name = _to_ascii(name)
    if _psl().publicsuffix(ascii_name) == ascii_name:
        raise DomainNameError(
            f"{ascii_name!r} is a public suffix (like 'com' or 'co.uk'); enter a domain "
            f"registered under it, such as 'example.{ascii_name}'"
        )
    _check_labels(ascii_name)
    return DomainName(ascii=ascii_name, unicode=_to_unicode(ascii_name))


def _strip_decoration(text: str) -> str:
    if not isinstance(text, str):
        raise DomainNameError("a domain name must be a string")
    name = text.strip()
    if not name:
        raise DomainNameError("the domain name is empty")
    if "://" in name or "/" in name:
        raise DomainNameError(
            f"{name!r} looks like a URL; enter only the domain, e.g. 'example.com'"
        )
    if "@" in name:
        raise DomainNameError(
            f"{name!r} looks like an email address; enter only the part after '@'"
        )
    if any(ch.isspace() for ch in name):
        raise DomainNameError(f"{name!r} contains white space")
    if name.endswith(".") and not name.endswith(".."):
        name = name[:-1]
    if not name or name.startswith(".") or ".." in name or name.endswith("."):
        raise DomainNameError(f"{text.strip()!r} has an empty label (two dots in a row?)")
    return name


def _to_ascii(name: str) -> str:
    if name.isascii():
        return name.lower()
    try:
        return idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise DomainNameError(f"{name!r} is not a valid internationalized name: {exc}") from None


def _check_labels(ascii_name: str) -> None:
    if len(ascii_name) > MAX_NAME_LENGTH:
        raise DomainNameError(
            f"the name is {len(ascii_name)} characters long; at most {MAX_NAME_LENGTH} are allowed"
        )
    labels = ascii_name.split(".")
    if len(labels) < 2:
        raise DomainNameError(f"{ascii_name!r} has a single label; enter a full domain name")
    for label in labels:
        if len(label) > MAX_LABEL_LENGTH:
            raise DomainNameError(
                f"the label {label[:20]!r}... is longer than {MAX_LABEL_LENGTH} characters"
            )
        if "_" in label:
            raise DomainNameError(
                f"{label!r} contains '_'; host names allow only letters, digits and hyphens"
            )
        if not _LDH_LABEL.match(label):
            raise DomainNameError(
                f"{label!r} is not a valid label: use letters, digits and inner hyphens only"
            )
        if label[2:4] == "--":
            _check_a_label(label)
    if labels[-1].isdigit():
        raise DomainNameError(f"{ascii_name!r} looks like an IP address, not a domain name")


def _check_a_label(label: str) -> None:
    if not label.startswith("xn--"):
        raise DomainNameError(f"{label!r} has '--' in the third and fourth position (reserved)")
    try:
        idna.decode(label)
    except idna.IDNAError:
        raise DomainNameError(f"{label!r} is not a valid punycode (xn--) label") from None


def _to_unicode(ascii_name: str) -> str:
    try:
        return idna.decode(ascii_name)
    except idna.IDNAError:
        return ascii_name
