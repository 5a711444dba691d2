"""Polling the report mailbox: each message is ingested in its own transaction, then filed.

The order is the safety argument. A message is moved out of the intake folder only after its
ingest transaction committed, so a crash between the two loses nothing (the message is still in
the folder) and duplicates nothing (the next poll ingests it again, ``mail_ingest`` recognises
the same bytes as a duplicate, and the message is moved). One bad message never stops the
batch: its exception is logged and it goes to the failed folder. A database outage is the
exception to that rule: the message stays in the intake folder and is retried next poll.
"""

from __future__ import annotations

import email
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, close_old_connections, transaction

from reports import services
from reports.imap import FetchedMessage, ImapReportMailbox, ReportMailbox

logger = logging.getLogger(__name__)

# Errors that say "the database is unavailable right now", not "this message is bad".
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)

POLL_LOCK_KEY = "tlsmon:reports:mailbox-poll"
POLL_LOCK_SECONDS = 15 * 60

_disabled_logged = False


@dataclass
class PollSummary:
    """What one poll did: message counts by outcome, report counts from ingestion."""

    fetched: int = 0
    processed: int = 0  # moved to the processed folder
    failed: int = 0  # moved to the failed folder
    deferred: int = 0  # left in the intake folder after a transient database error
    accepted: int = 0
    duplicates: int = 0
    quarantined: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (uid, reason)
    skipped: bool = False  # another poll held the lock

    def __str__(self) -> str:
        if self.skipped:
            return "skipped: another mailbox poll is running"
        return (
            f"{self.fetched} fetched: {self.processed} processed, {self.failed} failed, "
            f"{self.deferred} deferred; reports {self.accepted} accepted, "
            f"{self.duplicates} duplicates, {self.quarantined} quarantined"
        )


def mailboxes_poll(*, client: ReportMailbox | None = None) -> PollSummary:
    """Ingest up to TLSMON_IMAP_BATCH messages from the report mailbox and file each one.

    ``client`` is an already connected mailbox (tests); by default one is opened from the
    TLSMON_IMAP_* settings. With TLSMON_IMAP_HOST blank, mail intake is off: zeros, no I/O.
    IMAP errors (login, connection lost, a failed move) propagate: whatever was not moved yet
    is still in the intake folder and the next poll picks it up.
    """
    if client is not None:
        return _poll(client, limit=settings.TLSMON_IMAP_BATCH)
    if not settings.TLSMON_IMAP_HOST:
        _log_disabled_once()
        return PollSummary()
    # One poller at a time: two would ingest the same messages (harmless, as duplicates) and
    # race to move them. The lock expires by itself if a worker dies holding it.
    if not cache.add(POLL_LOCK_KEY, "1", timeout=POLL_LOCK_SECONDS):
        logger.info("another mailbox poll is running: skipped")
        return PollSummary(skipped=True)
    try:
        with ImapReportMailbox.from_settings() as mailbox:
            return _poll(mailbox, limit=settings.TLSMON_IMAP_BATCH)
    finally:
        cache.delete(POLL_LOCK_KEY)


def _log_disabled_once() -> None:
    global _disabled_logged
    if not _disabled_logged:
        logger.info("TLSMON_IMAP_HOST is blank: mailbox polling is off")
        _disabled_logged = True


def _poll(client: ReportMailbox, *, limit: int) -> PollSummary:
    summary = PollSummary()
    for message in client.fetch(limit=limit):
        summary.fetched += 1
        _handle(client, message, summary)
    if summary.fetched:
        logger.info("mailbox poll: %s", summary)
    return summary


def _handle(client: ReportMailbox, message: FetchedMessage, summary: PollSummary) -> None:
    """Ingest one message, then (after the commit) move it; never raise for a bad message."""
    try:
        with transaction.atomic():
            result = services.mail_ingest(raw_message=message.raw, source=f"imap:{message.uid}")
    except TRANSIENT_ERRORS:
        logger.exception(
            "database unavailable for IMAP uid=%s: left for the next poll", message.uid
        )
        if not transaction.get_connection().in_atomic_block:
            close_old_connections()  # drop a broken connection; the next message reconnects
        summary.deferred += 1
        return
    except Exception as exc:  # a bad message must not stop the batch (protocol.md section 9b)
        logger.exception("ingesting IMAP uid=%s %s failed", message.uid, _describe(message))
        _fail(client, message, f"{type(exc).__name__}: {exc}", summary)
        return
    summary.accepted += result.accepted
    summary.duplicates += result.duplicates
    summary.quarantined += result.quarantined
    if result.accepted or result.duplicates or result.quarantined:
        client.move_to_processed(message.uid)
        summary.processed += 1
        return
    errors = "; ".join(error for _, error in result.rejected) or "no report in the message"
    _fail(client, message, errors, summary)


def _fail(
    client: ReportMailbox, message: FetchedMessage, reason: str, summary: PollSummary
) -> None:
    logger.warning("IMAP uid=%s %s rejected: %s", message.uid, _describe(message), reason)
    client.move_to_failed(message.uid, reason)
    summary.failed += 1
    summary.failures.append((message.uid, reason))


def _describe(message: FetchedMessage) -> str:
    """Message-ID and SHA-256, so an operator can find the message in the failed folder."""
    try:
        message_id = email.message_from_bytes(message.raw).get("Message-ID", "")
    except Exception:  # garbage bytes: the hash still identifies it
        message_id = ""
    return f"message-id={str(message_id).strip() or '-'} sha256={message.sha256}"
