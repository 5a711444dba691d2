"""DKIM of report emails (RFC 8460 section 3), verified against keys published in the
loopback Knot server: recorded on the submission by default, required when configured."""

from __future__ import annotations

import base64
from email.message import EmailMessage

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from reports import services
from reports.models import Report, Submission
from tests.reports.conftest import policy, report_json

pytestmark = pytest.mark.django_db
SELECTOR = b"tlsrpt2026"


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def key_record(key) -> list[str]:
    """The ``<selector>._domainkey`` TXT line, split into strings of at most 255 characters."""
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    value = f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"
    strings = " ".join(f'"{value[i : i + 255]}"' for i in range(0, len(value), 255))
    return [f"{SELECTOR.decode()}._domainkey TXT {strings}"]


def report_mail(sender_domain: str, policy_domain: str, *, report_id: str = "dkim-1") -> bytes:
    message = EmailMessage()
    message["From"] = f"noreply-smtp-tls-reporting@{sender_domain}"
    message["To"] = "tlsrpt@reports.example"
    message["Subject"] = f"Report Domain: {policy_domain} Submitter: {sender_domain}"
    message["TLS-Report-Domain"] = policy_domain
    message["TLS-Report-Submitter"] = sender_domain
    message.set_content("This is an aggregate TLS report.")
    body = report_json(report_id=report_id, policies=[policy("sts", policy_domain, 7, 0)])
    message.add_attachment(
        body, maintype="application", subtype="tlsrpt+json", filename="report.json"
    )
    return message.as_bytes().replace(b"\n", b"\r\n")


def signed(raw: bytes, sender_domain: str, key) -> bytes:
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    header = dkim.sign(
        raw, SELECTOR, sender_domain.encode(), private, include_headers=[b"from", b"subject"]
    )
    return header + raw


@pytest.fixture
def sender(dns_server, zone_name, key, dns_settings):
    """A reporting domain whose DKIM key is published in the loopback DNS server."""
    dns_server.set_zone(zone_name, key_record(key))
    dns_settings.TLSMON_REPORT_DKIM = "record"
    return zone_name


def ingest(org, raw: bytes):
    summary = services.email_ingest(organization=org, raw_message=raw, source="test")
    return summary, Submission.objects.get(organization=org)


def test_a_valid_signature_is_recorded_as_pass(org, own, sender, key):
    own(org, "example.com")
    summary, submission = ingest(org, signed(report_mail(sender, "example.com"), sender, key))
    assert summary.accepted == 1
    assert submission.metadata["dkim"] == {
        "status": "pass",
        "domain": sender,
        "selector": SELECTOR.decode(),
        "detail": "",
    }


def test_a_message_changed_after_signing_fails_but_is_kept_by_default(org, own, sender, key):
    own(org, "example.com")
    raw = signed(report_mail(sender, "example.com"), sender, key)
    tampered = raw.replace(b"aggregate TLS report", b"aggregate TLS REPORT")
    summary, submission = ingest(org, tampered)
    assert submission.metadata["dkim"]["status"] == "fail"
    assert summary.accepted == 1  # "record" keeps it; the outcome is on the submission


@pytest.mark.parametrize("case", ["tampered", "unsigned"])
def test_require_mode_rejects_what_does_not_pass_with_the_reason(
    org, own, sender, key, settings, case
):
    settings.TLSMON_REPORT_DKIM = "require"
    own(org, "example.com")
    raw = report_mail(sender, "example.com")
    if case == "tampered":
        raw = signed(raw, sender, key).replace(b"aggregate TLS report", b"changed")
    summary, submission = ingest(org, raw)
    assert summary.accepted == 0
    assert "DKIM" in summary.rejected[0].error
    assert submission.status == "rejected" and "RFC 8460" in submission.error
    assert not Report.objects.exists()
    assert submission.raw_payload() == raw  # refused, never lost


def test_require_mode_accepts_a_valid_signature(org, own, sender, key, settings):
    settings.TLSMON_REPORT_DKIM = "require"
    own(org, "example.com")
    summary, _ = ingest(org, signed(report_mail(sender, "example.com"), sender, key))
    assert summary.accepted == 1


def test_a_failed_key_lookup_is_temperror_and_never_refuses(
    org, own, dns_server, zone_name, key, dns_settings
):
    dns_server.set_broken_zone(zone_name)  # SERVFAIL for the key
    dns_settings.TLSMON_REPORT_DKIM = "require"
    own(org, "example.com")
    summary, submission = ingest(org, signed(report_mail(zone_name, "example.com"), zone_name, key))
    assert submission.metadata["dkim"]["status"] == "temperror"
    assert summary.accepted == 1
