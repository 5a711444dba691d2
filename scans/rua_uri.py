"""Check one TLS-RPT rua destination URI (RFC 8460 section 3, RFC 3986, RFC 6068; pure).

Usable means a sender can deliver to it: ``mailto:`` with a valid addr-spec on an LDH/A-label
domain (``?hfields`` allowed) or ``https:`` with a host. Schemes are case-insensitive.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import idna

SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+"
_DOT_ATOM = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*")
_LDH_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_NOT_IN_URI = set('"<>\\^`{|}')


@dataclass(frozen=True)
class RuaUri:
    """One destination as written. ``problem`` is empty when the URI is usable."""

    uri: str
    scheme: str = ""  # lower case
    host: str = ""  # mailbox domain or https host, lower case
    problem: str = ""
    grammatical: bool = True  # a URI at all (RFC 3986 characters and a scheme)

    @property
    def usable(self) -> bool:
        return not self.problem


def check_rua_uri(uri: str) -> RuaUri:
    """Classify ``uri`` (already split from the rua list and trimmed). Never raises."""
    problem = _character_problem(uri)
    if problem:
        return RuaUri(uri, problem=problem, grammatical=False)
    scheme, sep, rest = uri.partition(":")
    if not sep or not SCHEME.fullmatch(scheme):
        hint = f"; write mailto:{uri}" if "@" in uri else ""
        return RuaUri(uri, problem=f"no URI scheme{hint}", grammatical=False)
    scheme = scheme.lower()
    if scheme == "mailto":
        host, problem = _check_mailto(rest)
    elif scheme == "https":
        host, problem = _check_https(uri)
    else:
        host, problem = "", f"{scheme}: is not a TLS-RPT destination (only mailto: and https:)"
    return RuaUri(uri, scheme=scheme, host=host, problem=problem)


def _character_problem(uri: str) -> str:
    if not uri.isascii():
        return "non-ASCII characters (write an IDN domain as an A-label, xn--...)"
    if any(ch.isspace() or ord(ch) < 0x21 or ord(ch) == 0x7F for ch in uri):
        return "white space or control characters inside the URI"
    if any(ch in _NOT_IN_URI for ch in uri):
        return "characters that are never legal in a URI (quotes, <, >, ...)"
    if _BAD_PERCENT.search(uri):
        return "a '%' that is not a %XX escape"
    return ""


def _check_mailto(rest: str) -> tuple[str, str]:
    address, _, _hfields = rest.partition("?")
    if not address:
        return "", "mailto: without an address"
    host = ""
    for mailbox in unquote(address).split(","):
        local, at, domain = mailbox.rpartition("@")
        if not at or not local or not _DOT_ATOM.fullmatch(local):
            return "", f"{mailbox!r} is not an email address"
        problem = check_host_name(domain)
        if problem:
            return "", problem
        host = host or domain.lower()
    return host, ""


def _check_https(uri: str) -> tuple[str, str]:
    try:
        parts = urlsplit(uri)
        host = parts.hostname or ""
        parts.port  # noqa: B018 -- raises ValueError on a bad port
    except ValueError as exc:
        return "", f"not a valid https URL ({exc})"
    if not host:
        return "", "https URL without a host"
    try:
        ipaddress.ip_address(host)
        return host, ""
    except ValueError:
        pass
    problem = check_host_name(host)
    return ("", problem) if problem else (host.lower(), "")


def check_host_name(name: str) -> str:
    """Why ``name`` is not an LDH / A-label host name with at least two labels ("" if it is)."""
    lowered = name.lower()
    labels = lowered.split(".")
    if not name or len(name) > 253 or len(labels) < 2 or "" in labels:
        return f"{name!r} is not a full domain name"
    for label in labels:
        if len(label) > 63 or not _LDH_LABEL.fullmatch(label):
            return f"{name!r} is not a valid domain name (letters, digits, inner hyphens)"
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except idna.IDNAError:
                return f"{label!r} is not a valid A-label"
    if labels[-1].isdigit():
        return f"{name!r} is not a domain name"
    return ""
