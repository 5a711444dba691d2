"""Webhook signatures: what a receiver computes must match what TLSMon sends."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from notify.signing import SignatureError, new_secret, signature_header, verify

SECRET = "whsec_test"
BODY = b'{"event": "alert.opened"}'


def test_header_is_hmac_sha256_over_timestamp_dot_body():
    header = signature_header(SECRET, 1_700_000_000, BODY)

    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


def test_a_signed_body_verifies():
    header = signature_header(SECRET, 1_700_000_000, BODY)

    assert verify(SECRET, header, BODY, now=1_700_000_010) == 1_700_000_000


@pytest.mark.parametrize(
    ("secret", "body", "now", "message"),
    [
        ("whsec_other", BODY, 1_700_000_000, "does not match"),
        (SECRET, BODY + b" ", 1_700_000_000, "does not match"),
        (SECRET, BODY, 1_700_000_000 + 301, "away from now"),
    ],
    ids=["wrong secret", "changed body", "replayed later"],
)
def test_a_tampered_or_stale_request_is_refused(secret, body, now, message):
    header = signature_header(SECRET, 1_700_000_000, BODY)

    with pytest.raises(SignatureError, match=message):
        verify(secret, header, body, now=now)


@pytest.mark.parametrize("header", ["", "v1=abc", "t=soon,v1=abc", "t=1700000000"])
def test_a_malformed_header_is_refused(header):
    with pytest.raises(SignatureError):
        verify(SECRET, header, BODY, now=1_700_000_000)


def test_secrets_are_random_and_recognisable():
    first, second = new_secret(), new_secret()

    assert first != second
    assert first.startswith("whsec_") and len(first) == 6 + 64
