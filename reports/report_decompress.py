"""Bounded decompression of report payloads: gzip (by magic bytes) and zip, never past a limit.

Pure. A gzip bomb is refused after at most ``max_decompressed + CHUNK`` bytes were inflated: output
is produced in chunks with ``zlib.decompressobj().decompress(data, max_length)`` and counted as it
grows, so nothing is ever inflated in full and measured afterwards. A ``Budget`` carries that
count (and a CPU-time allowance) across every member and layer of one delivery, so an archive of
many members, or archives inside archives, cannot multiply the limit.
"""

from __future__ import annotations

import io
import time
import zipfile
import zlib
from collections.abc import Callable

from reports.report_fields import ReportError, ReportTooLarge

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
CHUNK = 256 * 1024
_GZIP_WBITS = 16 + zlib.MAX_WBITS
# zipfile bounds each read only for stored and deflated members; bzip2/lzma could blow up per read.
_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_METHOD_NAMES = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA"}
MAX_ARCHIVE_DEPTH = 2  # an archive inside an archive (a .json.gz in a zip) is the deepest read


class Budget:
    """What one delivery may cost to unpack: inflated bytes over all its members and layers,
    CPU seconds of the unpacking thread, and the archive nesting depth.

    ``clock`` defaults to ``time.thread_time`` (CPU of this thread only: other requests served
    by the same process do not count against this one). Every chunk inflated is charged here.
    """

    def __init__(
        self,
        *,
        max_bytes: int,
        max_seconds: float,
        clock: Callable[[], float] = time.thread_time,
    ) -> None:
        self.max_bytes, self.max_seconds, self.clock = max_bytes, max_seconds, clock
        self.used = 0
        self.started = clock()

    @property
    def remaining(self) -> int:
        return max(self.max_bytes - self.used, 0)

    def charge(self, size: int) -> None:
        """Count ``size`` inflated bytes; ReportTooLarge once the delivery is over a limit."""
        self.used += size
        if self.used > self.max_bytes:
            raise ReportTooLarge(
                f"the delivery decompresses to over {self.max_bytes} bytes in all "
                "(TLSMON_REPORT_MAX_DECOMPRESSED counts every member and layer)"
            )
        self.check_time()

    def check_time(self) -> None:
        if self.clock() - self.started > self.max_seconds:
            raise ReportTooLarge(
                f"unpacking the delivery took over {self.max_seconds:g} s of CPU "
                "(TLSMON_REPORT_MAX_CPU_SECONDS)"
            )

    @staticmethod
    def check_depth(depth: int) -> None:
        """Refuse an archive (zip or gzip) nested deeper than ``MAX_ARCHIVE_DEPTH`` layers."""
        if depth > MAX_ARCHIVE_DEPTH:
            raise ReportError(
                f"archive nested {depth} deep; at most {MAX_ARCHIVE_DEPTH} layers "
                "(e.g. a .json.gz inside a zip) are read"
            )


def decompress_report(
    data: bytes | bytearray, *, max_compressed: int, max_decompressed: int
) -> bytes | bytearray:
    """Raw body -> JSON bytes. gzip is detected by ``1f 8b``, zip by ``PK\\x03\\x04``.

    The compressed limit applies to every input (it is the size that came over the wire); the
    decompressed limit applies to the JSON text, whether it arrived compressed or not.
    """
    if len(data) > max_compressed:
        raise ReportTooLarge(
            f"report is {len(data)} bytes; the limit is {max_compressed} bytes "
            "(TLSMON_REPORT_MAX_COMPRESSED)"
        )
    if data[:2] == GZIP_MAGIC:
        return gunzip_bounded(data, max_decompressed)
    if data[:4] == ZIP_MAGIC:
        return unzip_bounded(data, max_decompressed)
    if len(data) > max_decompressed:
        raise _too_large(max_decompressed)
    return data


def _too_large(limit: int) -> ReportTooLarge:
    return ReportTooLarge(
        f"decompressed report is over the limit of {limit} bytes (TLSMON_REPORT_MAX_DECOMPRESSED)"
    )


def gunzip_bounded(
    data: bytes | bytearray, limit: int, budget: Budget | None = None
) -> bytes | bytearray:
    """gzip (one or more members, as ``gzip.decompress`` accepts) -> at most ``limit`` bytes,
    each chunk charged to ``budget`` when one is given."""
    charge = budget.charge if budget is not None else _free
    inflater = zlib.decompressobj(_GZIP_WBITS)
    first = _inflate(inflater, data, min(limit + 1, CHUNK))
    charge(len(first))
    if inflater.eof and not inflater.unused_data and len(first) <= limit:
        return first  # the usual report: one member, one chunk, no copy
    out = bytearray(first)
    pending = inflater.unconsumed_tail
    while True:
        while not inflater.eof:
            chunk = _inflate(inflater, pending, CHUNK)
            charge(len(chunk))
            out += chunk
            if len(out) > limit:
                raise _too_large(limit)
            pending = inflater.unconsumed_tail
            if not pending and not chunk:
                raise ReportError("truncated gzip data")
        if len(out) > limit:
            raise _too_large(limit)
        pending = inflater.unused_data
        if pending[:2] != GZIP_MAGIC:
            break
        inflater = zlib.decompressobj(_GZIP_WBITS)
    if pending.strip(b"\x00"):
        raise ReportError("unexpected bytes after the end of the gzip data")
    return out


def _free(size: int) -> None:
    """The charge of an unbudgeted call: only ``limit`` bounds it."""


def _inflate(inflater: zlib._Decompress, data: bytes | bytearray, max_length: int) -> bytes:
    try:
        return inflater.decompress(data, max_length)
    except zlib.error as exc:
        raise ReportError(f"not valid gzip data ({exc})") from None


def unzip_bounded(data: bytes | bytearray, limit: int) -> bytearray:
    """zip -> the first ``.json`` (else ``.json.gz``, else the only) member, at most ``limit``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            out = read_member(archive, _pick_member(archive.infolist()), limit)
    except ReportError:
        raise
    except Exception as exc:  # zipfile raises a zoo of types (BadZipFile, EOFError, zlib.error...)
        raise ReportError(f"not a readable zip archive ({type(exc).__name__})") from None
    if out[:2] == GZIP_MAGIC:
        return gunzip_bounded(out, limit)
    return out


def _pick_member(members: list[zipfile.ZipInfo]) -> zipfile.ZipInfo:
    files = [member for member in members if not member.is_dir()]
    for suffix in (".json", ".json.gz"):
        for member in files:
            if member.filename.lower().endswith(suffix):
                return member
    if len(files) == 1:
        return files[0]
    raise ReportError(f"zip archive holds {len(files)} files and none ends in .json")


def read_member(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, limit: int, budget: Budget | None = None
) -> bytearray:
    """One zip member, inflated chunk by chunk and charged to ``budget``; only stored and
    deflated members are read (zipfile inflates bzip2 and LZMA reads whole, whatever size asked)."""
    _check_method(member)
    charge = budget.charge if budget is not None else _free
    out = bytearray()
    with archive.open(member) as stream:
        while chunk := stream.read(CHUNK):
            charge(len(chunk))
            out += chunk
            if len(out) > limit:
                raise _too_large(limit)
    return out


def _check_method(member: zipfile.ZipInfo) -> zipfile.ZipInfo:
    if member.compress_type not in _ZIP_METHODS:
        raise ReportError(
            f"zip member {member.filename!r} uses compression method "
            f"{_METHOD_NAMES.get(member.compress_type, member.compress_type)}; "
            "only stored and deflated members are read"
        )
    return member
