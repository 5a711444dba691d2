"""Report attachments out of a MIME message (RFC 8460 section 5.3 and what senders really do).

Pure: bytes in, values out. The stdlib parser runs with ``policy=compat32``: it never raises on
malformed headers (``email.policy.default`` raises when some headers are read), and headers are
decoded here by hand. Accepted forms, each seen in ``../shared/samples/tlsrpt``:

- ``multipart/report; report-type=tlsrpt`` (or ``"tlsrpt"``) with ``application/tlsrpt+gzip``
  (Google, Microsoft), ``application/tlsrpt+json`` or the unregistered ``application/tlsrpt`` with
  raw 8-bit JSON (mail-auth/rpt02.eml);
- looser types: ``application/gzip``, ``application/x-gzip``, ``application/json``,
  ``application/zip``, ``application/x-zip-compressed``, ``application/octet-stream``, and any
  part whose file name (Content-Disposition ``filename=`` or Content-Type ``name=``) ends in
  ``.json.gz``, ``.json``, ``.gz`` or ``.zip``; a report inside a forwarded ``message/rfc822``;
- CRLF or LF line ends (mox/*.eml); an mbox ``From `` first line and ``Status``/``Content-Length``/
  ``Lines`` headers (email-report-processor/report.elm).

The metadata (Subject, file name, headers) is recorded for display and de-duplication hints only:
the report body is authoritative (RFC 8460 §5.6; tlsrpt-digest/tlsrpt_failure.eml).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from email.utils import getaddresses

REPORT_CONTENT_TYPES = frozenset(
    {
        "application/tlsrpt+gzip",
        "application/tlsrpt+json",
        "application/tlsrpt",
        "application/gzip",
        "application/x-gzip",
        "application/json",
        "application/zip",
        "application/x-zip-compressed",
        "application/octet-stream",
    }
)
REPORT_SUFFIXES = (".json.gz", ".json", ".gz", ".zip")
# Where the mailbox token can be found: the envelope recipient first, then the visible headers.
RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Delivered-To", "To", "Cc")
_MBOX_FROM = re.compile(rb"\AFrom [^\n]*\n")
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
# RFC 2047 §6.2: white space between two adjacent encoded words is not displayed.
_BETWEEN_WORDS = re.compile(r"(\?=)\s+(=\?)")


class MailError(ValueError):
    """The bytes could not be read as a message at all (not "no report in it": that is a value).

    The stdlib parser is lenient and this is rare (e.g. absurdly deep MIME nesting); the caller
    quarantines the raw bytes with this message as the reason.
    """


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    payload: bytes  # decoded transfer encoding; still gzip/zip if it was compressed


@dataclass(frozen=True)
class MailReports:
    message_id: str
    subject: str
    report_domain: str  # TLS-Report-Domain header ("" if absent)
    submitter: str  # TLS-Report-Submitter header
    # Addresses from RECIPIENT_HEADERS (Delivered-To ... To, Cc), lower case, first seen first.
    recipients: tuple[str, ...]
    attachments: tuple[Attachment, ...]


def extract_reports(message: bytes) -> MailReports:
    """Message bytes -> headers of interest and every part that may hold a report.

    A message without such a part gives ``attachments == ()``; the caller rejects it with a reason.
    Raises only MailError, and only when the bytes cannot be parsed as a message at all.
    """
    if not isinstance(message, bytes | bytearray | memoryview):
        raise MailError(f"expected bytes, got {type(message).__name__}")
    try:
        parsed = BytesParser(policy=compat32).parsebytes(_MBOX_FROM.sub(b"", bytes(message), 1))
        return MailReports(
            message_id=_header(parsed, "Message-ID"),
            subject=_header(parsed, "Subject"),
            report_domain=_header(parsed, "TLS-Report-Domain").lower(),
            submitter=_header(parsed, "TLS-Report-Submitter").lower(),
            recipients=_recipients(parsed),
            attachments=tuple(_report_parts(parsed)),
        )
    except Exception as exc:  # the stdlib parser's failure modes are not a documented set
        raise MailError(f"unreadable message ({type(exc).__name__}: {exc})"[:300]) from exc


def _report_parts(message: Message) -> Iterator[Attachment]:
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        filename = _filename(part)
        if not _may_hold_report(content_type, filename):
            continue
        payload = _payload(part)
        if payload:
            yield Attachment(filename=filename, content_type=content_type, payload=payload)


def _may_hold_report(content_type: str, filename: str) -> bool:
    if content_type in REPORT_CONTENT_TYPES or content_type.startswith("application/tlsrpt"):
        return True
    return filename.lower().endswith(REPORT_SUFFIXES)


def _filename(part: Message) -> str:
    """Content-Disposition filename=, else Content-Type name= (RFC 2231/2047 decoded)."""
    try:
        name = part.get_filename() or ""
    except Exception:  # malformed RFC 2231 parameters: treat as no file name
        return ""
    return _decode_words(_clean(name)).strip()


def _payload(part: Message) -> bytes:
    """Body with the transfer encoding (base64, quoted-printable, 8bit) removed."""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _raw_headers(message: Message, name: str) -> list[str]:
    """Every value of one header as the parser stored it (raw 8-bit still surrogate-escaped).

    ``message.get`` would hand back a ``Header`` that already replaced 8-bit bytes with U+FFFD.
    """
    wanted = name.lower()
    return [_clean(value) for key, value in message.raw_items() if key.lower() == wanted]


def _header(message: Message, name: str) -> str:
    """First occurrence, RFC 2047 decoded, unfolded and with whitespace runs collapsed."""
    values = _raw_headers(message, name)
    return " ".join(_decode_words(values[0]).split()) if values else ""


def _recipients(message: Message) -> tuple[str, ...]:
    values = []
    for name in RECIPIENT_HEADERS:
        values.extend(_raw_headers(message, name))
    seen: dict[str, None] = {}
    for _display, address in getaddresses(values):
        address = address.strip().lower()
        if address:
            seen.setdefault(address, None)
    return tuple(seen)


def _decode_words(text: str) -> str:
    """RFC 2047 encoded words -> text, one word at a time, so raw 8-bit text around them and an
    undecodable word (unknown charset, broken base64) stay as they were."""
    if "=?" not in text:
        return text
    return _ENCODED_WORD.sub(_decode_word, _BETWEEN_WORDS.sub(r"\1\2", text))


def _decode_word(match: re.Match[str]) -> str:
    try:
        return "".join(
            chunk.decode(charset or "ascii", "replace") if isinstance(chunk, bytes) else chunk
            for chunk, charset in decode_header(match.group(0))
        )
    except Exception:  # LookupError for unknown charsets, binascii/ValueError for bad payloads
        return match.group(0)


def _clean(text: str) -> str:
    """Turn the parser's surrogate-escaped raw 8-bit bytes back into (replacement) characters."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
