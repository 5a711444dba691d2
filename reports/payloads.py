"""Raw payloads -> parsed reports (pure: bytes in, values out; no Django, no I/O).

``parse_report`` reads JSON or gzip; this module adds what a delivery may wrap around it: a
zip archive of reports, or a whole email with report attachments.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
from dataclasses import dataclass

from reports.email_parsing import extract_reports
from reports.report_parsing import Report, ReportError, ReportTooLarge, parse_report

ZIP_MAGIC = b"PK\x03\x04"
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Limits:
    max_compressed: int
    max_decompressed: int


@dataclass(frozen=True)
class Parsed:
    """One report out of a payload, or the error that made a part of it unreadable."""

    source: str
    report: Report | None = None
    error: ReportError | None = None


@dataclass(frozen=True)
class Unpacked:
    parts: tuple[Parsed, ...]
    header_domain: str = ""  # TLS-Report-Domain of an email ("" otherwise)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def compress(data: bytes) -> bytes:
    """Storage form of a raw payload (mtime 0: the same bytes always compress the same)."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def looks_like_report_file(data: bytes) -> bool:
    """JSON, gzip or zip, as opposed to an email message."""
    head = data[:4096].lstrip()
    return head.startswith((b"{", b"[", GZIP_MAGIC, ZIP_MAGIC)) or not head


def _zip_members(data: bytes, limits: Limits) -> list[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ReportError(f"not a readable zip archive ({exc})") from None
    members, total = [], 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        with archive.open(info) as member:
            content = member.read(limits.max_decompressed + 1)
        total += len(content)
        if total > limits.max_decompressed:
            raise ReportTooLarge(
                f"zip archive decompresses to over {limits.max_decompressed} bytes"
            )
        members.append((info.filename, content))
    return members


def parse_file(data: bytes, *, source: str, limits: Limits) -> tuple[Parsed, ...]:
    """A report file (JSON, gzip, or a zip of those) -> one Parsed per report in it."""
    try:
        if data.startswith(ZIP_MAGIC):
            members = _zip_members(data, limits)
            return tuple(
                part
                for name, content in members
                for part in parse_file(content, source=f"{source}:{name}", limits=limits)
            )
        report = parse_report(
            data, max_compressed=limits.max_compressed, max_decompressed=limits.max_decompressed
        )
    except ReportError as exc:
        return (Parsed(source=source, error=exc),)
    return (Parsed(source=source, report=report),)


def parse_email(data: bytes, *, source: str, limits: Limits) -> Unpacked:
    """An email message -> its report attachments, each parsed (RFC 8460 §5.3)."""
    try:
        mail = extract_reports(data)
    except ReportError as exc:
        return Unpacked(parts=(Parsed(source=source, error=exc),))
    except Exception as exc:  # a broken message must not stop the queue (protocol.md §9b)
        error = ReportError(f"not a readable email message ({type(exc).__name__}: {exc})")
        return Unpacked(parts=(Parsed(source=source, error=error),))
    if not mail.attachments:
        error = ReportError("the message has no TLS-RPT report attachment", path="")
        return Unpacked(parts=(Parsed(source=source, error=error),), header_domain="")
    parts = tuple(
        part
        for attachment in mail.attachments
        for part in parse_file(
            attachment.payload,
            source=f"{source}:{attachment.filename or attachment.content_type}",
            limits=limits,
        )
    )
    return Unpacked(parts=parts, header_domain=mail.report_domain)
