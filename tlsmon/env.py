"""Typed readers for environment variables that fail loudly on bad values.

Every setting TLSMon reads from the environment goes through one of these, so a typo such as
``DEBUG=ture`` stops the process with a message naming the variable instead of being silently
read as false. ``envsecret`` also accepts ``<NAME>_FILE`` (Docker/Kubernetes secrets).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class EnvError(ValueError):
    """An environment variable holds a value TLSMon cannot use."""


def envstr(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> str:
    """The trimmed value; unset and blank both mean ``default`` (compose passes blanks)."""
    env = os.environ if environ is None else environ
    return env.get(name, "").strip() or default


def envchoice(
    name: str, default: str, choices: tuple[str, ...], environ: Mapping[str, str] | None = None
) -> str:
    """One of ``choices`` (case-insensitive); anything else names the variable and the choices."""
    value = envstr(name, default, environ).lower()
    if value not in choices:
        raise EnvError(f"{name}={value!r}: use {', '.join(choices[:-1])} or {choices[-1]}")
    return value


def envbool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    raw = envstr(name, "", environ).lower()
    if raw == "":
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise EnvError(f"{name}={raw!r} is not a boolean; use one of true/false, 1/0, yes/no, on/off")


def envint(
    name: str,
    default: int,
    environ: Mapping[str, str] | None = None,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    raw = envstr(name, "", environ)
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise EnvError(f"{name}={raw!r} is not a whole number") from None
    if minimum is not None and value < minimum:
        raise EnvError(f"{name}={value} is below the minimum of {minimum}")
    if maximum is not None and value > maximum:
        raise EnvError(f"{name}={value} is above the maximum of {maximum}")
    return value


def envfloat(
    name: str, default: float, environ: Mapping[str, str] | None = None, *, minimum: float = 0.0
) -> float:
    raw = envstr(name, "", environ)
    if raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise EnvError(f"{name}={raw!r} is not a number") from None
    if not math.isfinite(value):
        raise EnvError(f"{name}={raw!r} is not a finite number")
    if value < minimum:
        raise EnvError(f"{name}={value} is below the minimum of {minimum}")
    return value


def envlist(name: str, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    raw = envstr(name, "", environ)
    if raw == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def envsecret(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> str:
    """``NAME`` or the contents of the file named by ``NAME_FILE`` (not both)."""
    env = os.environ if environ is None else environ
    direct = env.get(name, "")
    path = env.get(f"{name}_FILE", "")
    if direct and path:
        raise EnvError(f"set either {name} or {name}_FILE, not both")
    if path:
        try:
            with open(path, encoding="utf-8") as handle:
                return handle.read().strip()
        except OSError as exc:
            raise EnvError(f"{name}_FILE={path!r} cannot be read: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise EnvError(f"{name}_FILE={path!r} is not UTF-8 text") from None
    return direct or default


def parse_nameservers(raw: list[str], *, default_port: int = 53) -> list[tuple[str, int]]:
    """``["127.0.0.1:5353", "::1", "[::1]:53"]`` -> ``[("127.0.0.1", 5353), ...]``.

    Used for TLSMON_DNS_NAMESERVERS. An empty list means "use the system resolver".
    """
    import ipaddress

    servers: list[tuple[str, int]] = []
    for item in raw:
        host, port = item, default_port
        if item.startswith("["):
            host, sep, rest = item[1:].partition("]")
            if not sep or (rest and not rest.startswith(":")):
                raise EnvError(f"TLSMON_DNS_NAMESERVERS: {item!r} is not [ipv6]:port")
            if rest:
                port = _port(item, rest[1:])
        elif item.count(":") == 1:
            host, port_text = item.split(":")
            port = _port(item, port_text)
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise EnvError(
                f"TLSMON_DNS_NAMESERVERS: {item!r} does not start with an IP address "
                "(write host:port, e.g. 127.0.0.1:5353, or [::1]:53)"
            ) from None
        servers.append((host, port))
    return servers


def parse_networks(name: str, raw: list[str]) -> list[str]:
    """``["10.0.0.0/8", "::1"]`` -> ``["10.0.0.0/8", "::1/128"]``; a bad item names itself."""
    import ipaddress

    networks = []
    for item in raw:
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise EnvError(
                f"{name}: {item!r} is not an IP address or network (e.g. 10.0.0.0/8 or ::1)"
            ) from None
    return networks


def _port(item: str, text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise EnvError(f"TLSMON_DNS_NAMESERVERS: {item!r} has an invalid port")
    return int(text)


def envdomain(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    """A DNS name (lower case, no trailing dot) that other DNS names are built under, such as
    ``<domain>._report._tls.<it>``: an IP address, a URL or an e-mail address is refused."""
    import ipaddress

    value = envstr(name, default, environ).lower().rstrip(".")
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        pass
    else:
        raise EnvError(f"{name}={value!r} is an IP address; it must be a domain name")
    if any(char in value for char in "/@: ") or "." not in value:
        raise EnvError(f"{name}={value!r} is not a domain name (e.g. reports.example.com)")
    return value
