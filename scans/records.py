"""Parse and judge the TLS-RPT TXT record at ``_smtp._tls.<domain>`` (RFC 8460 section 3; pure).

Two readings of the same text, because real senders differ: the strict RFC 8460 grammar and the
tolerant parse of protocol.md section 8 (split on ``;``, key/value on the first ``=``, trim WSP,
case-sensitive keys, rua split on ``,``). Where they disagree the record works for some senders
only, which is what the warnings say. URI checks live in ``scans.rua_uri``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import quote

import idna

from core.vocabulary import Severity
from scans.findings import Code
from scans.rua_uri import SCHEME, RuaUri, check_rua_uri

GATE = "v=TLSRPTv1;"  # RFC 8460 section 3 record selection: the literal prefix
VERSION = "v=TLSRPTv1"
WSP = " \t"
_EXT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}")
_EXT_VALUE = re.compile(r"[\x21-\x3a\x3c\x3e-\x7e]+")


@dataclass(frozen=True)
class Issue:
    """A rule hit before it becomes a ``Finding``; ``severity`` overrides the catalogue's."""

    code: Code
    detail: str = ""
    severity: Severity | None = None


@dataclass(frozen=True)
class ParsedRecord:
    """One TXT string read tolerantly, plus what the strict grammar thinks of it."""

    text: str
    version_exact: bool  # first field is exactly v=TLSRPTv1 and a ';' follows
    fields: tuple[tuple[str, str], ...]  # tolerant (key, value) pairs after the version
    rua: tuple[RuaUri, ...]
    syntax_problems: tuple[str, ...]
    issues: tuple[Issue, ...]

    @property
    def usable_rua(self) -> tuple[str, ...]:
        return tuple(uri.uri for uri in self.rua if uri.usable)

    @property
    def abnf_valid(self) -> bool:
        """Inside the RFC 8460 ABNF (URIs checked only as URIs, not as usable destinations)."""
        return (
            self.version_exact
            and bool(self.fields)
            and not self.syntax_problems
            and all(uri.grammatical for uri in self.rua)
        )


@dataclass(frozen=True)
class Selection:
    """The outcome of RFC 8460 record selection over all TXT strings at the name."""

    record: ParsedRecord | None  # the record senders (or lenient senders) would use
    issues: tuple[Issue, ...]  # selection issues followed by the record's own issues


def parse_tlsrpt_record(text: str) -> ParsedRecord:
    """Read one TXT string tolerantly. Never raises: any text gives a ``ParsedRecord``."""
    parts = text.split(";")
    problems: list[str] = []
    version_exact = len(parts) > 1 and parts[0].rstrip(WSP) == VERSION
    body = parts[1:]
    if body and not body[-1].strip(WSP):
        body = body[:-1]  # a trailing ';' (with WSP) is allowed
    elif text != text.rstrip(WSP) and len(parts) > 1:
        problems.append("trailing white space")
    fields: list[tuple[str, str]] = []
    for part in body:
        field = _read_field(part, problems)
        if field is not None:
            fields.append(field)
    rua = _read_rua(fields, problems)
    record = ParsedRecord(text, version_exact, tuple(fields), rua, tuple(problems), ())
    return replace(record, issues=tuple(_record_issues(record)))


def _read_field(part: str, problems: list[str]) -> tuple[str, str] | None:
    if not part.strip(WSP):
        problems.append("empty field (';;')")
        return None
    if "=" not in part:
        problems.append(f"stray text {part.strip(WSP)!r}")
        return None
    raw_key, _, raw_value = part.partition("=")
    key = raw_key.strip(WSP)
    if raw_key.rstrip(WSP) != raw_key:
        problems.append(f"space before '=' in {key}=")
    if raw_value.lstrip(WSP) != raw_value:
        problems.append(f"space after '=' in {key}=")
    value = raw_value.strip(WSP)
    if key != "rua" and not (_EXT_NAME.fullmatch(key) and _EXT_VALUE.fullmatch(value)):
        problems.append(f"{key}={value} is not a valid tag=value")
    return key, value


def _read_rua(fields: list[tuple[str, str]], problems: list[str]) -> tuple[RuaUri, ...]:
    uris: list[RuaUri] = []
    for key, value in fields:
        if key != "rua":
            continue
        items = value.split(",")
        if value and any(not item.strip(WSP) for item in items):
            problems.append("empty destination in rua= (stray ',')")
        uris.extend(check_rua_uri(item.strip(WSP)) for item in items if item.strip(WSP))
    return tuple(uris)


def _record_issues(record: ParsedRecord) -> list[Issue]:
    issues: list[Issue] = []
    if record.syntax_problems:
        issues.append(Issue(Code.SYNTAX_INVALID, "; ".join(record.syntax_problems)))
    if not record.rua:
        issues.append(Issue(Code.RUA_MISSING, _rua_missing_detail(record)))
    bad = [uri for uri in record.rua if not uri.usable]
    if bad:
        detail = "; ".join(f"{uri.uri!r}: {uri.problem}" for uri in bad)
        severity = Severity.WARNING if record.usable_rua else Severity.CRITICAL
        issues.append(Issue(Code.RUA_INVALID_URI, detail, severity))
    issues.extend(Issue(Code.RUA_UNENCODED_CHAR, uri.uri) for uri in record.rua if "!" in uri.uri)
    issues.extend(_tag_issues(record))
    return issues


def _rua_missing_detail(record: ParsedRecord) -> str:
    keys = [key for key, _ in record.fields]
    if any(key.lower() == "rua" and key != "rua" for key in keys):
        return "Tags are case-sensitive: 'RUA=' is an unknown tag; write 'rua='."
    if "rua" in keys:
        return "The rua= tag is empty."
    return ""


def _tag_issues(record: ParsedRecord) -> list[Issue]:
    issues: list[Issue] = []
    keys = [key for key, _ in record.fields]
    unknown = [key for key in keys if key != "rua"]
    if unknown:
        issues.append(Issue(Code.UNKNOWN_TAG, ", ".join(f"{key}=" for key in unknown)))
    if "rua" in keys and any(key.lower() == "rua" and key != "rua" for key in keys):
        issues.append(
            Issue(
                Code.STRICT_PARSER_RISK,
                "the record has both 'rua=' and a case variant of it; senders that compare "
                "tags case-insensitively see two destinations lists",
            )
        )
    seen: set[str] = set()
    repeated = []
    for uri in record.rua:
        if uri.uri.lower() in seen:
            repeated.append(uri.uri)
        seen.add(uri.uri.lower())
    if keys.count("rua") > 1:
        repeated.insert(0, f"{keys.count('rua')} rua= tags")
    if repeated:
        issues.append(Issue(Code.DUPLICATE_RUA, ", ".join(repeated)))
    return issues


def check_tlsrpt_txt(txts: Sequence[str]) -> Selection:
    """Apply RFC 8460 record selection (the literal ``v=TLSRPTv1;`` gate) to all TXT strings
    at ``_smtp._tls.<domain>`` and return the record in use with every issue found."""
    gated = [text for text in txts if text.startswith(GATE)]
    if len(gated) > 1:
        return Selection(None, (Issue(Code.MULTIPLE_RECORDS, str(len(gated))),))
    if len(gated) == 1:
        record = parse_tlsrpt_record(gated[0])
        others = list(txts)
        others.remove(gated[0])
        return Selection(record, (*_lookalike_duplicates(others), *record.issues))
    parsed = [parse_tlsrpt_record(text) for text in txts]
    valid = [record for record in parsed if record.abnf_valid]
    if len(valid) > 1:
        return Selection(None, (Issue(Code.MULTIPLE_RECORDS, str(len(valid))),))
    if len(valid) == 1:
        risk = Issue(
            Code.STRICT_PARSER_RISK,
            "the record has white space before the first ';'. RFC 8460's grammar allows it, "
            "but senders that test for the literal prefix 'v=TLSRPTv1;' discard the record",
        )
        return Selection(valid[0], (risk, *valid[0].issues))
    attempts = [text for text in txts if looks_like_tlsrpt(text)]
    if attempts:
        return Selection(None, (Issue(Code.VERSION_INVALID, f"Found: {attempts[0]!r}."),))
    detail = "Only non-TLS-RPT TXT records are published there." if txts else ""
    return Selection(None, (Issue(Code.MISSING_RECORD, detail),))


def _lookalike_duplicates(others: Sequence[str]) -> list[Issue]:
    """Records next to the gated one that some senders would also count (case-insensitive
    gate or grammar-based selection): those senders see two records and send nothing."""
    return [
        Issue(
            Code.STRICT_PARSER_RISK,
            f"the second record {text!r} is a case or spacing variant; senders that select "
            "records case-insensitively or by the grammar count two records and send nothing",
        )
        for text in others
        if text.lower().startswith(GATE.lower()) or parse_tlsrpt_record(text).abnf_valid
    ]


def looks_like_tlsrpt(text: str) -> bool:
    """An attempt at a TLS-RPT record: first field v/V with a value starting 'tlsrpt' (both
    case-insensitive after trimming), or any rua= field."""
    parts = text.split(";")
    key, sep, value = parts[0].partition("=")
    if sep and key.strip().lower() == "v" and value.strip().lower().startswith("tlsrpt"):
        return True
    return any(part.partition("=")[0].strip().lower() == "rua" and "=" in part for part in parts)


# Characters RFC 8460 requires to be percent-encoded inside a rua URI.
_MUST_ENCODE = {",": "%2C", ";": "%3B", "!": "%21"}


def generate_record(destinations: Sequence[str]) -> str:
    """Build a valid record from destinations: bare email addresses (become ``mailto:``),
    ``mailto:`` or ``https:`` URIs. Raises ValueError naming the first unusable one."""
    uris: list[str] = []
    for raw in destinations:
        uri = _destination_uri(raw)
        if uri not in uris:
            uris.append(uri)
    if not uris:
        raise ValueError("give at least one destination: an email address or an https:// URL")
    return f"{VERSION}; rua={','.join(uris)}"


def _destination_uri(raw: str) -> str:
    text = raw.strip()
    if not text:
        raise ValueError("a destination is empty")
    scheme, sep, rest = text.partition(":")
    scheme = scheme.lower() if sep and SCHEME.fullmatch(scheme) else ""
    if scheme == "mailto":
        uri = "mailto:" + _encode(rest)
    elif scheme == "https":
        uri = "https:" + _encode(rest)
    elif not scheme and "@" in text:
        uri = "mailto:" + _encode_mailbox(text)
    else:
        hint = " (http: is not allowed; use https:)" if scheme == "http" else ""
        raise ValueError(f"{raw!r} is not usable: give an email address or an https:// URL{hint}")
    checked = check_rua_uri(uri)
    if not checked.usable:
        raise ValueError(f"{raw!r} is not usable: {checked.problem}")
    return uri


def _encode(text: str) -> str:
    return "".join(_MUST_ENCODE.get(ch, ch) for ch in text)


def _encode_mailbox(address: str) -> str:
    """A typed address as a mailto body: the local part percent-encoded (so '!', '?', '%',
    '{' and friends survive as URI characters), the domain converted to its A-label."""
    local, _, domain = address.rpartition("@")
    try:
        domain = idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError:
        raise ValueError(f"{address!r} has an invalid domain") from None
    # quote() keeps letters, digits and "_.-~"; these sub-delims are legal in a URI too.
    return quote(local, safe="$&'*+/=") + "@" + domain
