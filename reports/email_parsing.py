"""Report attachments out of a MIME message (RFC 8460 section 5.3 and what senders really do).

Pure: bytes in, values out. Interface only; the parser helper fills in ``extract_reports``.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    recipients: tuple[str, ...]  # Delivered-To / X-Original-To / To / Cc addresses, lower case
    attachments: tuple[Attachment, ...]


def extract_reports(message: bytes) -> MailReports:
    raise NotImplementedError
