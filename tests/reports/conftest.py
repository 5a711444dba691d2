"""Fixtures for the ingestion tests: sample bytes, a tenant that owns given domains."""

from __future__ import annotations

import gzip
import json

import pytest
from django.conf import settings

from tests.factories import DomainFactory
from tests.reports.samples import EMAIL_SUFFIXES, SAMPLES_DIR


def sample_bytes(relative: str) -> bytes:
    return (SAMPLES_DIR / relative).read_bytes()


def is_email_sample(relative: str) -> bool:
    return relative.endswith(EMAIL_SUFFIXES)


def with_recipient(raw: bytes, address: str) -> bytes:
    """The message with ``Delivered-To: <address>`` in front, in the message's own line ends."""
    newline = b"\r\n" if b"\r\n" in raw.split(b"\n", 1)[0] + b"\n" else b"\n"
    return b"Delivered-To: " + address.encode() + newline + raw


def report_address(org, *, suffix: str = "") -> str:
    plus = f"+{suffix}" if suffix else ""
    return f"{org.report_token}{plus}@{settings.TLSMON_REPORT_DOMAIN}"


def report_json(
    *,
    report_id: str = "r-1",
    reporter: str = "Example Sender",
    policies: list[dict] | None = None,
    start: str = "2026-01-05T00:00:00Z",
    end: str = "2026-01-05T23:59:59Z",
) -> bytes:
    """A small valid report; ``policies`` as (policy_type, domain, ok, failed[, details])."""
    return json.dumps(
        {
            "organization-name": reporter,
            "date-range": {"start-datetime": start, "end-datetime": end},
            "contact-info": "tlsrpt@sender.example",
            "report-id": report_id,
            "policies": policies or [policy("sts", "example.com", 5, 0)],
        }
    ).encode()


def policy(policy_type: str, domain: str | None, ok: int, failed: int, details=()) -> dict:
    body: dict = {"policy-type": policy_type}
    if domain is not None:
        body["policy-domain"] = domain
    return {
        "policy": body,
        "summary": {"total-successful-session-count": ok, "total-failure-session-count": failed},
        "failure-details": [
            {
                "result-type": rt,
                "sending-mta-ip": ip,
                "receiving-mx-hostname": mx,
                "failed-session-count": n,
            }
            for rt, ip, mx, n in details
        ],
    }


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


@pytest.fixture
def own(db):
    """``own(org, "example.com", ...)`` -> the Domain rows, created for that organization."""

    def make(organization, *names: str):
        return [
            DomainFactory(organization=organization, name=name, unicode_name=name) for name in names
        ]

    return make


# The loopback Knot server and unique zone names of the scan tests (used by the DKIM tests).
from tests.scans.conftest import dns_server, dns_settings, zone_name  # noqa: E402, F401
