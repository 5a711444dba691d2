"""The IMAP seam of report intake: read raw messages from one folder and file them away.

A thin layer over imap-tools. It knows folders and UIDs, never reports or tenants: the mailbox
service (``reports.mailbox``) decides what happens to each message. Messages are fetched with
``BODY.PEEK[]`` (``mark_seen=False``) so a crash leaves them exactly as they were.

IMAP cannot edit a stored message, so a failed message is moved to the failed folder unchanged
(its original bytes stay evidence, DKIM signature included) and its reason is logged instead:
here with the UID, by ``reports.mailbox`` with Message-ID and SHA-256 (docs/mailbox.md).
"""

from __future__ import annotations

import hashlib
import logging
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, Self

from django.conf import settings
from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage
from imap_tools.mailbox import BaseMailBox

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 60.0  # seconds per socket operation: a hung server must not hang a worker


@dataclass(frozen=True)
class FetchedMessage:
    """One message as the server stores it: its UID in the folder and its exact bytes."""

    uid: str
    raw: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


class ReportMailbox(Protocol):
    """What the mailbox service needs from a mailbox; tests may pass an honest fake."""

    def fetch(self, *, limit: int) -> Iterator[FetchedMessage]:
        """The oldest ``limit`` messages of the intake folder, unread flags untouched."""

    def move_to_processed(self, uid: str) -> None:
        """File a message that was stored (accepted, quarantined or a duplicate)."""

    def move_to_failed(self, uid: str, reason: str) -> None:
        """File a message that could not be used, and record why."""


class _RawMessage(MailMessage):
    """imap-tools' message plus the bytes exactly as fetched (its ``obj`` is a re-parse)."""

    def __init__(self, fetch_data: list) -> None:
        super().__init__(fetch_data)
        self.raw: bytes = self._get_message_data_parts(fetch_data)[0]


@dataclass(frozen=True)
class ImapConfig:
    """Where the report mailbox is and how its folders are named (TLSMON_IMAP_* settings)."""

    host: str
    port: int
    security: str  # "ssl" | "starttls" | "plain"
    user: str
    password: str
    folder: str = "INBOX"
    processed_folder: str = "TLSMon/Processed"
    failed_folder: str = "TLSMon/Failed"
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_settings(cls) -> ImapConfig:
        return cls(
            host=settings.TLSMON_IMAP_HOST,
            port=settings.TLSMON_IMAP_PORT,
            security=settings.TLSMON_IMAP_SECURITY,
            user=settings.TLSMON_IMAP_USER,
            password=settings.TLSMON_IMAP_PASSWORD,
            folder=settings.TLSMON_IMAP_FOLDER,
            processed_folder=settings.TLSMON_IMAP_PROCESSED_FOLDER,
            failed_folder=settings.TLSMON_IMAP_FAILED_FOLDER,
        )


# imap-tools builds each fetched message with ``email_message_class``: ours keeps the bytes.
class _SslBox(MailBox):
    email_message_class = _RawMessage


class _StartTlsBox(MailBoxStartTls):
    email_message_class = _RawMessage


class _PlainBox(MailBoxUnencrypted):
    email_message_class = _RawMessage


def _open(config: ImapConfig, ssl_context: ssl.SSLContext | None) -> BaseMailBox:
    """The imap-tools client for the configured security (certificates verified by default)."""
    context = ssl_context or ssl.create_default_context()
    if config.security == "ssl":
        return _SslBox(config.host, config.port, timeout=config.timeout, ssl_context=context)
    if config.security == "starttls":
        return _StartTlsBox(config.host, config.port, timeout=config.timeout, ssl_context=context)
    if config.security == "plain":
        return _PlainBox(config.host, config.port, timeout=config.timeout)
    raise ValueError(f"TLSMON_IMAP_SECURITY={config.security!r}: use ssl, starttls or plain")


class ImapReportMailbox:
    """The real ``ReportMailbox``: one logged-in IMAP connection, used as a context manager.

    ``with ImapReportMailbox.from_settings() as mailbox:`` logs in, creates the processed and
    failed folders if they are missing, and selects the intake folder.
    """

    def __init__(self, config: ImapConfig, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self.config = config
        self._ssl_context = ssl_context
        self._box: BaseMailBox | None = None

    @classmethod
    def from_settings(cls) -> ImapReportMailbox:
        return cls(ImapConfig.from_settings())

    def __enter__(self) -> Self:
        self.connect()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def connect(self) -> None:
        box = _open(self.config, self._ssl_context)
        box.login(self.config.user, self.config.password, initial_folder=None)
        self._box = box
        self.ensure_folders()
        box.folder.set(self.config.folder)

    def close(self) -> None:
        if self._box is not None:
            try:
                self._box.logout()
            except Exception:  # the connection may already be gone; nothing left to tidy
                logger.debug("IMAP logout failed", exc_info=True)
            self._box = None

    @property
    def box(self) -> BaseMailBox:
        if self._box is None:
            raise RuntimeError("the IMAP mailbox is not connected")
        return self._box

    def ensure_folders(self) -> None:
        """Create the processed and failed folders (and their parents) if they are missing."""
        for name in (self.config.processed_folder, self.config.failed_folder):
            if not self.box.folder.exists(name):
                self.box.folder.create(name)
                logger.info("created IMAP folder %s", name)

    def fetch(self, *, limit: int) -> Iterator[FetchedMessage]:
        # imap-tools searches the UIDs first, then fetches one message per round trip, so a
        # batch never sits in memory at once and moving one UID does not disturb the rest.
        for message in self.box.fetch("ALL", limit=limit, mark_seen=False, bulk=False):
            yield FetchedMessage(uid=message.uid or "", raw=message.raw)

    def move_to_processed(self, uid: str) -> None:
        self.box.move(uid, self.config.processed_folder)

    def move_to_failed(self, uid: str, reason: str) -> None:
        logger.warning(
            "IMAP message uid=%s moved to %s: %s", uid, self.config.failed_folder, reason
        )
        self.box.move(uid, self.config.failed_folder)
