"""Report inputs on disk: files, folders, mbox files and Maildir folders -> (kind, bytes, source).

Used by ``manage.py ingest_reports``. ``kind`` is ``"email"`` for a message (``.eml``/``.elm``
files, mbox and Maildir messages, or anything that is not JSON/gzip/zip) and ``"file"`` for a
report file (``.json``, ``.json.gz``, ``.gz``, ``.zip``).
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reports.payloads import looks_like_report_file

EMAIL_SUFFIXES = {".eml", ".elm", ".msg"}


@dataclass(frozen=True)
class Item:
    kind: str  # "email" | "file" | "error"
    payload: bytes
    source: str
    error: str = ""


def is_maildir(path: Path) -> bool:
    return all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def is_mbox(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def _maildir(path: Path) -> Iterator[Item]:
    box = mailbox.Maildir(str(path), factory=None, create=False)
    for key in sorted(box.keys()):
        yield Item("email", box.get_bytes(key), f"{path}/{key}")


def _mbox(path: Path) -> Iterator[Item]:
    box = mailbox.mbox(str(path), create=False)
    try:
        for index, key in enumerate(box.keys(), start=1):
            yield Item("email", box.get_bytes(key), f"{path}#{index}")
    finally:
        box.close()


def _file(path: Path) -> Iterator[Item]:
    if is_mbox(path):
        yield from _mbox(path)
        return
    data = path.read_bytes()
    email = path.suffix.lower() in EMAIL_SUFFIXES or not looks_like_report_file(data)
    yield Item("email" if email else "file", data, str(path))


def items_from_paths(paths: list[Path]) -> Iterator[Item]:
    """Everything under ``paths`` in a stable order; unreadable entries become error items."""
    for path in paths:
        try:
            if path.is_dir() and is_maildir(path):
                yield from _maildir(path)
            elif path.is_dir():
                children = sorted(p for p in path.iterdir() if not p.name.startswith("."))
                yield from items_from_paths(children)
            elif path.is_file():
                yield from _file(path)
            else:
                yield Item("error", b"", str(path), "no such file or folder")
        except OSError as exc:
            yield Item("error", b"", str(path), f"cannot read: {exc.strerror or exc}")
