"""Field readers for TLS-RPT report JSON: one JSON value in, one checked Python value out.

Pure helpers for ``report_parsing``. Each reader either returns a clean value, notes a tolerated
deviation in ``Repairs``, or raises ``ReportError`` naming the JSON path and what was expected.
Paths are built by the caller only as far as needed, because this code runs for every detail of
every report and the parser must stay within a small factor of plain ``json.loads``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import idna
import orjson

# Counts must fit a PostgreSQL bigint; anything larger is a broken sender, not traffic.
MAX_COUNT = 2**63 - 1
# A report with 10,000 details that all miss the same field must not carry 10,000 notes.
MAX_REPAIRS = 50

_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?",
    re.ASCII,
)
# The STS policy line prefix some senders leave in mx-host values (dmarc-report-viewer/no-contact).
_MX_PREFIX = re.compile(r"^mx:\s*", re.IGNORECASE)


class ReportError(ValueError):
    """A report we cannot accept. ``path`` is the JSON path (``$.policies[0].summary``)."""

    def __init__(self, message: str, *, path: str = "$") -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.reason = message


class ReportTooLarge(ReportError):
    """Compressed or decompressed size over the configured limit (HTTP 413)."""


class Repairs:
    """The tolerances applied to one report, each as ``"<json path>: <what we did>"``."""

    __slots__ = ("dropped", "notes")

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.dropped = 0

    def add(self, path: str, note: str) -> None:
        if len(self.notes) < MAX_REPAIRS:
            self.notes.append(f"{path}: {note}")
        else:
            self.dropped += 1

    def as_tuple(self) -> tuple[str, ...]:
        if self.dropped:
            return (*self.notes, f"$: {self.dropped} more repairs not listed")
        return tuple(self.notes)


def kind(value: Any) -> str:
    """A short description of a JSON value for error messages (never the whole value)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value!r}"[:60]
    if isinstance(value, str):
        return f"the string {value[:40]!r}"
    if isinstance(value, list):
        return "an array"
    return "an object"


def as_object(value: Any, path: str) -> dict[str, Any]:
    if type(value) is not dict:
        raise ReportError(f"expected an object, got {kind(value)}", path=path)
    return value


def required_object(obj: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    value = obj.get(key)
    if value is None:
        raise ReportError("missing; expected an object", path=f"{path}.{key}")
    return as_object(value, f"{path}.{key}")


def required_string(obj: dict[str, Any], key: str, path: str) -> str:
    """A string the report cannot do without (report-id, organization-name, policy-type)."""
    value = obj.get(key)
    if type(value) is str:
        value = value.strip()
        if value:
            return value
        raise ReportError("empty; expected a non-empty string", path=f"{path}.{key}")
    if value is None:
        raise ReportError("missing; expected a non-empty string", path=f"{path}.{key}")
    raise ReportError(f"expected a string, got {kind(value)}", path=f"{path}.{key}")


def optional_string(obj: dict[str, Any], key: str, path: str, repairs: Repairs) -> str:
    """An informational string: absent or null is ""; a number is kept as its text."""
    value = obj.get(key)
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if type(value) is int or type(value) is float:
        repairs.add(f"{path}.{key}", "was a number; kept as text")
        return str(value)
    raise ReportError(f"expected a string, got {kind(value)}", path=f"{path}.{key}")


def read_count(
    obj: dict[str, Any], key: str, path: str, repairs: Repairs, *, default: int | None = None
) -> int:
    """A session count: a non-negative JSON integer (booleans are not integers).

    An integral number written as a float (``3.0``) is accepted with a note: JSON itself does not
    tell 3 from 3.0, and refusing a whole report over it would lose real data. ``3.5`` is refused.
    """
    value = obj.get(key)
    if type(value) is int and 0 <= value <= MAX_COUNT:
        return value
    if value is None:
        if default is None:
            raise ReportError("missing; expected a non-negative integer", path=f"{path}.{key}")
        repairs.add(f"{path}.{key}", f"missing; counted as {default}")
        return default
    if type(value) is float and value.is_integer() and 0 <= value <= MAX_COUNT:
        repairs.add(f"{path}.{key}", f"was the float {value!r}; read as an integer")
        return int(value)
    raise ReportError(f"expected a non-negative integer, got {kind(value)}", path=f"{path}.{key}")


def read_datetime(value: Any, path: str, repairs: Repairs) -> datetime:
    """RFC 3339 date-time -> aware UTC datetime.

    Tolerated: fractional seconds of any length (truncated to microseconds), a space or a lower-case
    ``t`` as separator, and no time zone at all (Microsoft 2023, mox/microsoft.eml), read as UTC.
    """
    if (
        type(value) is str
        and len(value) == 20
        and value[19] == "Z"
        and value[10] == "T"
        and value[4] == value[7] == "-"
        and value[13] == value[16] == ":"
    ):
        # The form nearly every sender uses; the C parser is ten times faster than the regex.
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise ReportError(f"not a valid date-time: {kind(value)}", path=path) from None
    if value is None:
        raise ReportError("missing; expected an RFC 3339 date-time", path=path)
    if type(value) is not str:
        raise ReportError(f"expected an RFC 3339 date-time string, got {kind(value)}", path=path)
    match = _DATE_TIME.fullmatch(value.strip())
    if match is None:
        raise ReportError(f"expected an RFC 3339 date-time, got {kind(value)}", path=path)
    try:
        return _from_match(match, path, repairs)
    except (ValueError, OverflowError):  # April 31st, hour 25, +24:00, 0001-01-01T00:00+01:00
        raise ReportError(f"not a valid date-time: {kind(value)}", path=path) from None


def _from_match(match: re.Match[str], path: str, repairs: Repairs) -> datetime:
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    micro = int((fraction + "000000")[:6]) if fraction else 0
    if zulu:
        tz: timezone = UTC
    elif sign:
        if int(off_m) > 59:
            raise ValueError("offset minutes")
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        tz = timezone(-offset if sign == "-" else offset)
    else:
        repairs.add(path, "no time zone; read as UTC")
        tz = UTC
    moment = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=tz
    )
    return moment if tz is UTC else moment.astimezone(UTC)


def normalize_domain(value: Any, path: str, repairs: Repairs) -> str:
    """policy-domain -> lower-case A-label without the trailing dot; "" when absent.

    A name that IDNA cannot convert is kept lower-cased with a note rather than failing the whole
    report: the storage layer matches it against the tenant's domains and quarantines a mismatch.
    """
    if value is None:
        repairs.add(path, "missing; left empty for the storage layer to route")
        return ""
    if type(value) is not str:
        raise ReportError(f"expected a domain name string, got {kind(value)}", path=path)
    name = value.strip().rstrip(".").lower()
    if not name:
        repairs.add(path, "empty; left empty for the storage layer to route")
        return ""
    if name.isascii():
        return name
    try:
        a_label = idna.encode(name, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        repairs.add(path, "not a valid IDN; kept lower-cased")
        return name
    repairs.add(path, f"converted to the A-label {a_label}")
    return a_label


def string_items(value: Any, path: str) -> tuple[str, ...]:
    """A JSON array of strings (or one bare string) -> stripped strings; null/absent -> ()."""
    if type(value) is list:
        try:
            return tuple(map(str.strip, value))  # C loop; TypeError names no index, so look again
        except TypeError:
            for index, item in enumerate(value):
                if type(item) is not str:
                    raise ReportError(
                        f"expected a string, got {kind(item)}", path=f"{path}[{index}]"
                    ) from None
    if value is None:
        return ()
    if type(value) is str:
        return (value.strip(),)
    raise ReportError(f"expected an array of strings, got {kind(value)}", path=path)


def read_mx_hosts(value: Any, path: str, repairs: Repairs) -> tuple[str, ...]:
    """mx-host as array (RFC §4.4), single string (RFC Appendix B) or absent; ``mx: `` removed."""
    if type(value) is str:
        repairs.add(path, "a single string, not an array")
    hosts = string_items(value, path)
    if ":" in "".join(hosts) and any(host[:3].lower() == "mx:" for host in hosts):
        repairs.add(path, "removed the 'mx:' prefix")
        hosts = tuple(_MX_PREFIX.sub("", host) for host in hosts)
    return tuple(host for host in hosts if host) if "" in hosts else hosts


def read_policy_strings(value: Any, path: str, repairs: Repairs) -> tuple[str, ...]:
    """policy-string lines; Microsoft's TLSA form (one string holding a JSON array) is expanded."""
    if type(value) is str:
        repairs.add(path, "a single string, not an array")
    items = string_items(value, path)
    if len(items) == 1 and items[0].startswith("["):
        records = _json_string_array(items[0])
        if records is not None:
            repairs.add(path, "one string holding a JSON array; expanded into its records")
            return tuple(records)
    return items


def _json_string_array(text: str) -> list[str] | None:
    try:
        decoded = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if type(decoded) is list and all(type(item) is str for item in decoded):
        return [item.strip() for item in decoded]
    return None
