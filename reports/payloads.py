"""Raw payloads -> parsed reports (pure: bytes in, values out; no Django, no I/O).

``parse_report`` reads JSON; this module unwraps what a delivery may wrap around it: gzip, a
zip archive of reports, or a whole email with report attachments. One ``Budget`` per delivery
counts every inflated byte (all attachments, members and layers) and the CPU time spent, so a
bomb of any shape is refused once the delivery as a whole passes the limits.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass

from reports.email_parsing import extract_reports
from reports.report_decompress import Budget, gunzip_bounded, read_member
from reports.report_parsing import Report, ReportError, ReportTooLarge, parse_report

ZIP_MAGIC = b"PK\x03\x04"
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Limits:
    max_compressed: int
    max_decompressed: int  # inflated bytes per delivery, over all its members and layers
    max_cpu_seconds: float = 10.0  # CPU time one delivery may take to unpack and parse

    def budget(self) -> Budget:
        return Budget(max_bytes=self.max_decompressed, max_seconds=self.max_cpu_seconds)


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


def _zip_members(data: bytes, limits: Limits, budget: Budget):
    """(name, content) of each file in the archive, one at a time (only one is held)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise ReportError(f"not a readable zip archive ({exc})") from None
    for info in infos:
        budget.charge(0)  # stop at once when an earlier member used the budget up
        try:
            content = read_member(archive, info, limits.max_decompressed, budget)
        except ReportError:
            raise
        except Exception as exc:  # zipfile's zoo: BadZipFile, EOFError, zlib.error, ...
            raise ReportError(f"zip member {info.filename!r} is unreadable ({exc})") from None
        yield info.filename, content


# Bytes that JSON text never holds raw: control characters other than tab, LF and CR.
_NOT_JSON = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# The escape of U+0000 (after an even run of backslashes, so a literal "\\u0000" is text): valid
# JSON, but no database text column can store it, so such a report is refused up front.
_ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def refuse_binary(text: bytes | bytearray) -> None:
    """Refuse text holding a raw control byte (the zeros of a typical bomb) with one C scan,
    before orjson sees it: orjson's error path costs about 12x the input size in memory."""
    found = _NOT_JSON.search(text)
    if found is not None:
        raise ReportError(
            f"not JSON: control byte 0x{found.group()[0]:02x} at offset {found.start()}"
        )
    nul = _ESCAPED_NUL.search(text)
    if nul is not None:
        raise ReportError(
            f"a string holds the NUL character (\\u0000) at offset {nul.end() - 6}, "
            "which no report field may contain"
        )


def parse_file(data: bytes, *, source: str, limits: Limits) -> tuple[Parsed, ...]:
    """A report file (JSON, gzip, or a zip of those) -> one Parsed per report in it."""
    return _parse_file(data, source=source, limits=limits, budget=limits.budget(), depth=0)


def _parse_file(
    data: bytes | bytearray, *, source: str, limits: Limits, budget: Budget, depth: int
) -> tuple[Parsed, ...]:
    """Unwrap one layer (zip or gzip) and recurse, or parse JSON; ``depth`` = layers so far."""
    parts: list[Parsed] = []
    try:
        if len(data) > limits.max_compressed and depth == 0:
            raise ReportTooLarge(
                f"report is {len(data)} bytes; the limit is {limits.max_compressed} bytes "
                "(TLSMON_REPORT_MAX_COMPRESSED)"
            )
        if data[:4] == ZIP_MAGIC:
            Budget.check_depth(depth + 1)
            for name, content in _zip_members(data, limits, budget):
                parts.extend(
                    _parse_file(
                        content,
                        source=f"{source}:{name}",
                        limits=limits,
                        budget=budget,
                        depth=depth + 1,
                    )
                )
            return tuple(parts)
        if data[:2] == GZIP_MAGIC:
            Budget.check_depth(depth + 1)
            text = gunzip_bounded(data, limits.max_decompressed, budget)
            return _parse_file(text, source=source, limits=limits, budget=budget, depth=depth + 1)
        if depth == 0:
            budget.charge(len(data))  # plain JSON still counts against the delivery
        refuse_binary(data)
        # Sizes were checked above and while inflating: the compressed limit is not re-applied
        # to inflated text. No copy of ``data`` is made (parse_report reads a bytearray).
        report = parse_report(
            data, max_compressed=len(data), max_decompressed=limits.max_decompressed
        )
        budget.check_time()
    except ReportError as exc:
        return (*parts, Parsed(source=source, error=exc))
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
    budget = limits.budget()
    parts = tuple(
        part
        for attachment in mail.attachments
        for part in _parse_file(
            attachment.payload,
            source=f"{source}:{attachment.filename or attachment.content_type}",
            limits=limits,
            budget=budget,
            depth=0,
        )
    )
    return Unpacked(parts=parts, header_domain=mail.report_domain)
