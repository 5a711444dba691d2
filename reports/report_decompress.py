"""Bounded decompression of report payloads: gzip (by magic bytes) and zip, never past a limit.

Pure. A gzip bomb is refused after at most ``max_decompressed + CHUNK`` bytes were inflated: output
is produced in chunks with ``zlib.decompressobj().decompress(data, max_length)`` and counted as it
grows, so nothing is ever inflated in full and measured afterwards.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from reports.report_fields import ReportError, ReportTooLarge

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
CHUNK = 256 * 1024
_GZIP_WBITS = 16 + zlib.MAX_WBITS
# zipfile bounds each read only for stored and deflated members; bzip2/lzma could blow up per read.
_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


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


def gunzip_bounded(data: bytes | bytearray, limit: int) -> bytes | bytearray:
    """gzip (one or more members, as ``gzip.decompress`` accepts) -> at most ``limit`` bytes."""
    inflater = zlib.decompressobj(_GZIP_WBITS)
    first = _inflate(inflater, data, min(limit + 1, CHUNK))
    if inflater.eof and not inflater.unused_data and len(first) <= limit:
        return first  # the usual report: one member, one chunk, no copy
    out = bytearray(first)
    pending = inflater.unconsumed_tail
    while True:
        while not inflater.eof:
            chunk = _inflate(inflater, pending, CHUNK)
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


def _inflate(inflater: zlib._Decompress, data: bytes | bytearray, max_length: int) -> bytes:
    try:
        return inflater.decompress(data, max_length)
    except zlib.error as exc:
        raise ReportError(f"not valid gzip data ({exc})") from None


def unzip_bounded(data: bytes | bytearray, limit: int) -> bytearray:
    """zip -> the first ``.json`` (else ``.json.gz``, else the only) member, at most ``limit``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            member = _pick_member(archive.infolist())
            out = bytearray()
            with archive.open(member) as stream:
                while chunk := stream.read(CHUNK):
                    out += chunk
                    if len(out) > limit:
                        raise _too_large(limit)
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
                return _check_method(member)
    if len(files) == 1:
        return _check_method(files[0])
    raise ReportError(f"zip archive holds {len(files)} files and none ends in .json")


def _check_method(member: zipfile.ZipInfo) -> zipfile.ZipInfo:
    if member.compress_type not in _ZIP_METHODS:
        raise ReportError(
            f"zip member uses compression method {member.compress_type}; "
            "only stored and deflated are accepted"
        )
    return member
