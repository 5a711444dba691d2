"""API token format: tlsm_<lookup>_<secret>, only the SHA-256 digest of the whole token stored."""

from __future__ import annotations

import hashlib
import re

import pytest

from accounts.tokens import digest_matches, generate_token, token_digest, token_lookup

# A fixed, well-formed token: lookup "AbCd1234", secret of 32 characters.
LOOKUP = "AbCd1234"
SECRET = "s3cretS3CRETs3cretS3CRETs3cret99"
TOKEN = f"tlsm_{LOOKUP}_{SECRET}"


def secret_of(plaintext: str) -> str:
    return plaintext.split("_", 2)[2]


def test_a_generated_token_reads_tlsm_lookup_secret():
    token = generate_token()
    assert re.fullmatch(r"tlsm_[A-Za-z0-9]{8}_[A-Za-z0-9]{32}", token.plaintext)
    assert token.plaintext.startswith("tlsm_")


def test_the_lookup_has_eight_characters_and_is_the_part_after_the_prefix():
    token = generate_token()
    assert len(token.lookup) == 8
    assert token.plaintext.startswith(f"tlsm_{token.lookup}_")
    assert token.prefix == f"tlsm_{token.lookup}"


def test_the_digest_is_the_sha256_hex_of_the_whole_token():
    token = generate_token()
    assert token.digest == hashlib.sha256(token.plaintext.encode()).hexdigest()
    assert token_digest(token.plaintext) == token.digest
    assert re.fullmatch(r"[0-9a-f]{64}", token.digest)


def test_the_digest_never_reveals_the_secret_or_the_token():
    token = generate_token()
    secret = secret_of(token.plaintext)
    assert len(secret) == 32
    assert token.digest not in (secret, token.plaintext)
    assert secret not in token.digest
    assert token.plaintext not in token.digest
    assert secret not in token.prefix


def test_the_digest_covers_the_lookup_not_only_the_secret():
    assert token_digest(TOKEN) != token_digest(SECRET)
    assert token_digest(TOKEN) != token_digest(f"tlsm_ZZZZ9999_{SECRET}")


def test_two_generated_tokens_differ():
    tokens = [generate_token() for _ in range(50)]
    assert len({t.plaintext for t in tokens}) == 50
    assert len({t.digest for t in tokens}) == 50
    assert len({secret_of(t.plaintext) for t in tokens}) == 50
    assert len({t.lookup for t in tokens}) == 50


def test_token_lookup_returns_the_lookup_of_a_well_formed_token():
    assert token_lookup(TOKEN) == LOOKUP


def test_token_lookup_returns_the_lookup_of_a_generated_token():
    token = generate_token()
    assert token_lookup(token.plaintext) == token.lookup


@pytest.mark.parametrize(
    "plaintext",
    [
        pytest.param("", id="empty"),
        pytest.param("tlsm_", id="prefix-only"),
        pytest.param(f"tlsx_{LOOKUP}_{SECRET}", id="wrong-prefix"),
        pytest.param(f"TLSM_{LOOKUP}_{SECRET}", id="upper-case-prefix"),
        pytest.param(f"{LOOKUP}_{SECRET}", id="no-prefix"),
        pytest.param(f"tlsm{LOOKUP}_{SECRET}", id="prefix-without-underscore"),
        pytest.param(f"tlsm_{LOOKUP[:7]}_{SECRET}", id="lookup-7-characters"),
        pytest.param(f"tlsm_{LOOKUP}9_{SECRET}", id="lookup-9-characters"),
        pytest.param(f"tlsm_{LOOKUP}_{SECRET[:31]}", id="secret-31-characters"),
        pytest.param(f"tlsm_{LOOKUP}_{SECRET}x", id="secret-33-characters"),
        pytest.param(f"tlsm_{LOOKUP}{SECRET}", id="missing-separator"),
        pytest.param(f"tlsm_{LOOKUP}__{SECRET}", id="doubled-separator"),
        pytest.param(f"tlsm_AbCd-234_{SECRET}", id="hyphen-in-lookup"),
        pytest.param(f"tlsm_AbCdé234_{SECRET}", id="non-ascii-letter-in-lookup"),
        pytest.param(f"tlsm_{LOOKUP}_{SECRET[:31]}!", id="punctuation-in-secret"),
        pytest.param(f"{TOKEN}_extra", id="extra-part"),
        pytest.param(f"Bearer {TOKEN}", id="with-bearer-word"),
        pytest.param(f" {TOKEN}", id="leading-space"),
        pytest.param(f"{TOKEN} ", id="trailing-space"),
        pytest.param(f"{TOKEN}\n", id="trailing-newline"),
        pytest.param(f"tlsm_{LOOKUP}_{SECRET[:16]} {SECRET[16:31]}", id="inner-space"),
        pytest.param(f"tlsm_{LOOKUP}\t{SECRET}", id="tab-as-separator"),
    ],
)
def test_token_lookup_returns_none_for_a_malformed_token(plaintext):
    assert token_lookup(plaintext) is None


def test_digest_matches_the_right_token():
    token = generate_token()
    assert digest_matches(token.plaintext, token.digest) is True


def one_character_changed(text: str, index: int) -> str:
    replacement = "B" if text[index] != "B" else "C"
    return text[:index] + replacement + text[index + 1 :]


@pytest.mark.parametrize(
    "index",
    [
        pytest.param(0, id="in-prefix"),
        pytest.param(5, id="first-of-lookup"),
        pytest.param(12, id="last-of-lookup"),
        pytest.param(14, id="first-of-secret"),
        pytest.param(len(TOKEN) - 1, id="last-of-secret"),
    ],
)
def test_digest_does_not_match_a_token_differing_in_one_character(index):
    changed = one_character_changed(TOKEN, index)
    assert changed != TOKEN and len(changed) == len(TOKEN)
    assert digest_matches(changed, token_digest(TOKEN)) is False


@pytest.mark.parametrize(
    "plaintext",
    [
        pytest.param(TOKEN[:-1], id="truncated"),
        pytest.param(TOKEN + "x", id="extended"),
        pytest.param(TOKEN.lower(), id="case-changed"),
        pytest.param("", id="empty"),
    ],
)
def test_digest_does_not_match_a_near_miss(plaintext):
    assert digest_matches(plaintext, token_digest(TOKEN)) is False


def test_digest_does_not_match_another_tokens_digest():
    first, second = generate_token(), generate_token()
    assert digest_matches(first.plaintext, second.digest) is False
