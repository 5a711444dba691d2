"""A real SMTP server on loopback (aiosmtpd) that keeps every message it receives.

Email tests point Django at it (``smtp_server`` fixture in tests/conftest.py) and read what
arrived, so a message is judged as a mail client would see it: headers, recipients, parts.
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
from email.message import EmailMessage

from tests.scans.servers import free_port


class SmtpSink:
    """``start()`` listens on 127.0.0.1; ``messages`` are parsed ``EmailMessage`` objects with
    the envelope recipients in ``rcpt_tos`` order under ``envelope_to``."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.fail_next = 0  # answer the next N messages with a temporary failure (451)
        self._lock = threading.Lock()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        with self._lock:
            if self.fail_next:
                self.fail_next -= 1
                return "451 4.3.0 try again later (test server)"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages once at least ``count`` arrived; fails after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} message(s), {len(self.messages)} arrived")

    def to(self, address: str) -> list[EmailMessage]:
        """Messages whose envelope included ``address``."""
        with self._lock:
            return [
                message
                for message, (_, rcpts) in zip(self.messages, self.envelopes, strict=True)
                if address in rcpts
            ]


def body_text(message: EmailMessage, subtype: str = "plain") -> str:
    part = message.get_body(preferencelist=(subtype,))
    return part.get_content() if part else ""
