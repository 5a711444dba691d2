"""Normalize and validate a domain name typed by a user (pure: no Django, no I/O).

The stored form is the A-label (ASCII, lower case, no trailing dot) because that is what DNS
and TLS-RPT reports use (RFC 8460 §4.4 policy-domain is an A-label); the Unicode form is kept
for display. A bare public suffix (``com``, ``co.uk``) is refused: nobody can publish a
TLS-RPT record for it. Only the ICANN section of the Public Suffix List counts, so a domain
under a private suffix such as ``example.github.io`` or ``blogspot.com`` itself is accepted.

Special-use names that never exist in the public DNS are refused: ``.localhost`` and
``.invalid`` (RFC 6761), ``.local`` (mDNS, RFC 6762), ``.onion`` (RFC 7686), ``.alt`` (RFC
9476), ``home.arpa`` (RFC 8375) and ``.internal`` (ICANN's private-use TLD). RFC 6761 also lists
``.test`` and ``.example`` (and ``example.com/net/org``); they stay accepted on purpose: the
demo data, the documentation and the test suite monitor such names against their own DNS
server, and nobody can confuse them with a real customer domain.

Invisible characters (format characters such as ZERO WIDTH SPACE or SOFT HYPHEN, variation
selectors, fillers) are refused with their name, not silently dropped as IDNA mapping would:
the name the user sees must be the name that is monitored. A label that mixes scripts is
accepted with a warning (``DomainName.warnings``; see ``accounts.idn_scripts``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import idna
from publicsuffixlist import PublicSuffixList

from accounts.idn_scripts import mixed_scripts

MAX_NAME_LENGTH = 253
MAX_LABEL_LENGTH = 63
_LDH_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
SPECIAL_USE_SUFFIXES = ("localhost", "invalid", "local", "onion", "alt", "internal", "home.arpa")
# Default-ignorable code points that are not format characters (category Cf): combining
# grapheme joiner, Hangul and Khmer fillers, Mongolian and other variation selectors.
_INVISIBLE_EXTRA = frozenset(
    [
        *(0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0),
        *range(0x180B, 0x1810),
        *range(0xFE00, 0xFE10),
        *range(0xE0100, 0xE01F0),
    ]
)


class DomainNameError(ValueError):
    """The text is not a usable domain name; the message says why, for the user."""


@dataclass(frozen=True)
class DomainName:
    ascii: str  # A-label form, what we store and query
    unicode: str  # U-label form, what we display
    warnings: tuple[str, ...] = field(default=(), compare=False)  # e.g. mixed scripts

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
    _check_special_use(ascii_name)
    unicode_name = _to_unicode(ascii_name)
    _check_invisible(unicode_name)
    return DomainName(ascii=ascii_name, unicode=unicode_name, warnings=name_warnings(unicode_name))


def name_warnings(unicode_name: str) -> tuple[str, ...]:
    """Warnings to show beside a (valid) name: each label that mixes scripts."""
    warnings = []
    for label in unicode_name.split("."):
        scripts = mixed_scripts(label)
        if scripts:
            warnings.append(
                f"the label {label!r} mixes scripts ({', '.join(scripts)}): it may imitate "
                "another name; compare the A-label with the name you expect"
            )
    return tuple(warnings)


def _check_special_use(ascii_name: str) -> None:
    for suffix in SPECIAL_USE_SUFFIXES:
        if ascii_name == suffix or ascii_name.endswith("." + suffix):
            raise DomainNameError(
                f"{ascii_name!r} is under .{suffix}, a special-use name that never exists in "
                "the public DNS: no sender can deliver mail or reports for it"
            )


def _check_invisible(text: str) -> None:
    for ch in text:
        if unicodedata.category(ch) == "Cf" or ord(ch) in _INVISIBLE_EXTRA:
            name = unicodedata.name(ch, "an unnamed character")
            raise DomainNameError(
                f"the name contains an invisible character, U+{ord(ch):04X} {name}; "
                "remove it (it is not dropped silently: the name shown must be the name checked)"
            )


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
    _check_invisible(name)
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
