"""MTA-STS rules (RFC 8461 sections 3.1, 3.2, 3.3, 4.1; protocol.md section 5); pure, no DB."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.vocabulary import MtaStsStatus as S
from core.vocabulary import Severity
from scans.findings import CATALOGUE, Code
from scans.mta_sts import (
    assess_mta_sts,
    media_type_ok,
    mx_matches,
    parse_sts_policy,
    parse_sts_txt,
)
from scans.observations import PolicyFetch
from tests.scans.fakes import nodata, nxdomain, ok, policy, servfail

D = "example.com"
NAME = f"_mta-sts.{D}"
POLICY = "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: *.example.net\nmax_age: 604800\n"


@pytest.mark.parametrize(
    ("text", "valid", "record_id"),
    [
        pytest.param("v=STSv1; id=20260101T000000", True, "20260101T000000", id="canonical"),
        pytest.param("v=STSv1;id=abc", True, "abc", id="no-space"),
        pytest.param("v=STSv1; id=abc;", True, "abc", id="trailing-delimiter"),
        pytest.param("v=STSv1; id=abc; ext=1", True, "abc", id="extension-ignored"),
        pytest.param("v=STSv1; ext=1; id=abc", True, "abc", id="fields-any-order"),
        pytest.param("v=STSv1; id=" + "a" * 32, True, "a" * 32, id="id-32-chars"),
        pytest.param("v=STSv1; id=" + "a" * 33, False, "a" * 33, id="id-33-chars"),
        pytest.param("v=STSv1; id=2026-01-01", False, "2026-01-01", id="id-with-hyphen"),
        pytest.param("v=STSv1; id=a_b", False, "a_b", id="id-with-underscore"),
        pytest.param("v=STSv1; id=", False, "", id="id-empty"),
        pytest.param("v=STSv1;", False, "", id="id-missing"),
        pytest.param("v=STSv1; id = abc", False, "", id="space-around-eq"),
        pytest.param("v=STSv1; id=abc;; x", False, "abc", id="stray-fields"),
        pytest.param("v=STSv1", False, "", id="version-only"),
    ],
)
def test_sts_txt_grammar(text, valid, record_id):
    record = parse_sts_txt(text)
    assert (record.valid, record.id) == (valid, record_id)


@pytest.mark.parametrize(
    ("body", "problem", "mode", "mx"),
    [
        pytest.param(POLICY, "", "enforce", 2, id="lf-lines"),
        pytest.param(POLICY.replace("\n", "\r\n"), "", "enforce", 2, id="crlf-lines"),
        pytest.param(POLICY.rstrip("\n"), "", "enforce", 2, id="no-final-newline"),
        pytest.param(POLICY.replace(": ", ":"), "", "enforce", 2, id="no-wsp-after-colon"),
        pytest.param(POLICY + "mode: testing\n", "", "enforce", 2, id="first-duplicate-wins"),
        pytest.param(POLICY + "x-extra: 1\n", "", "enforce", 2, id="unknown-key-ignored"),
        pytest.param(
            "version: STSv1\nmode: none\nmax_age: 86400\n", "", "none", 0, id="none-no-mx"
        ),
        pytest.param(POLICY.replace("enforce", "Enforce"), "mode", "Enforce", 2, id="mode-case"),
        pytest.param(POLICY.replace("STSv1", "stsv1"), "version", "enforce", 2, id="version-case"),
        pytest.param(
            POLICY.replace("version: STSv1\n", ""), "version", "enforce", 2, id="no-version"
        ),
        pytest.param(POLICY.replace("mode: enforce\n", ""), "no mode", "", 2, id="no-mode"),
        pytest.param(
            POLICY.replace("Mode", "mode").replace("mode:", "Mode:"),
            "no mode",
            "",
            2,
            id="key-case",
        ),
        pytest.param(
            POLICY.replace("604800", "31557601"), "exceeds", "enforce", 2, id="max-age-limit"
        ),
        pytest.param(POLICY.replace("604800", "31557600"), "", "enforce", 2, id="max-age-at-limit"),
        pytest.param(
            POLICY.replace("604800", "12345678901"),
            "1-10 digits",
            "enforce",
            2,
            id="max-age-11-digits",
        ),
        pytest.param(
            POLICY.replace("604800", "-1"), "1-10 digits", "enforce", 2, id="max-age-negative"
        ),
        pytest.param(
            POLICY.replace("max_age: 604800\n", ""), "no max_age", "enforce", 2, id="no-max-age"
        ),
        pytest.param(
            "version: STSv1\nmode: testing\nmax_age: 86400\n",
            "no mx",
            "testing",
            0,
            id="mx-required",
        ),
        pytest.param(POLICY + "mx: mail.example.com.\n", "mx", "enforce", 3, id="mx-trailing-dot"),
        pytest.param(
            POLICY + "garbage line\n", "key: value", "enforce", 2, id="line-without-colon"
        ),
    ],
)
def test_sts_policy_rules(body, problem, mode, mx):
    parsed = parse_sts_policy(body)
    assert (parsed.mode, len(parsed.mx)) == (mode, mx)
    if problem:
        assert any(problem in p for p in parsed.problems), parsed.problems
    else:
        assert parsed.valid, parsed.problems


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        pytest.param("text/plain", True, id="plain"),
        pytest.param("text/plain; charset=utf-8", True, id="utf-8"),
        pytest.param('TEXT/PLAIN; Charset="US-ASCII"', True, id="us-ascii-quoted-any-case"),
        pytest.param("text/plain; format=flowed", True, id="other-params-ignored"),
        pytest.param("text/plain; charset=iso-8859-1", False, id="latin-1"),
        pytest.param("text/html", False, id="html"),
        pytest.param("application/octet-stream", False, id="octet-stream"),
        pytest.param("", False, id="missing"),
    ],
)
def test_policy_media_type(content_type, expected):
    assert media_type_ok(content_type) is expected


@pytest.mark.parametrize(
    ("pattern", "host", "expected"),
    [
        pytest.param("mail.example.com", "mail.example.com", True, id="exact"),
        pytest.param("MAIL.example.com", "mail.EXAMPLE.com.", True, id="case-and-trailing-dot"),
        pytest.param("*.example.com", "mail.example.com", True, id="wildcard-one-label"),
        pytest.param("*.example.com", "example.com", False, id="wildcard-not-the-suffix"),
        pytest.param("*.example.com", "a.b.example.com", False, id="wildcard-not-two-labels"),
        pytest.param("*.example.com", "mailexample.com", False, id="wildcard-label-boundary"),
        pytest.param("mail.example.com", "mx.example.com", False, id="different-host"),
        pytest.param("example.com", "example.com", True, id="implicit-mx-domain-listed"),
    ],
)
def test_mx_pattern_matching(pattern, host, expected):
    assert mx_matches(pattern, host) is expected


def fetched(body: str = POLICY, **kwargs) -> PolicyFetch:
    return policy(D, body, **kwargs)


GOOD_TXT = ok(NAME, "v=STSv1; id=abc")
HOSTS = ("mx1.example.com", "in.example.net")

MTA_STS_CASES = [
    pytest.param(GOOD_TXT, fetched(), HOSTS, [], S.ENFORCE, id="enforce-covering-every-mx"),
    pytest.param(GOOD_TXT, None, HOSTS, [], S.ERROR, id="no-fetcher-no-policy-findings"),
    pytest.param(
        nxdomain(NAME), None, HOSTS, [Code.MTA_STS_COMPANION_MISSING], S.ABSENT, id="no-txt"
    ),
    pytest.param(
        nodata(NAME), None, HOSTS, [Code.MTA_STS_COMPANION_MISSING], S.ABSENT, id="nodata"
    ),
    pytest.param(
        ok(NAME, "v=spf1 -all"),
        None,
        HOSTS,
        [Code.MTA_STS_COMPANION_MISSING],
        S.ABSENT,
        id="other-txt",
    ),
    pytest.param(servfail(NAME), None, HOSTS, [Code.MTA_STS_LOOKUP_ERROR], S.ERROR, id="servfail"),
    pytest.param(
        ok(NAME, "v=STSv1; id=a", "v=STSv1; id=b"),
        None,
        HOSTS,
        [Code.MTA_STS_MULTIPLE_RECORDS],
        S.BROKEN,
        id="two-records",
    ),
    pytest.param(
        ok(NAME, "v=STSv1; id=bad-id"),
        fetched(),
        HOSTS,
        [Code.MTA_STS_TXT_INVALID],
        S.BROKEN,
        id="bad-id",
    ),
    pytest.param(
        ok(NAME, "v=stsv1; id=abc"),
        None,
        HOSTS,
        [Code.MTA_STS_TXT_INVALID],
        S.BROKEN,
        id="version-case",
    ),
    pytest.param(
        GOOD_TXT,
        PolicyFetch("u", error="certificate verify failed"),
        HOSTS,
        [Code.MTA_STS_POLICY_FETCH_FAILED],
        S.BROKEN,
        id="certificate-error",
    ),
    pytest.param(
        GOOD_TXT,
        PolicyFetch("u", error="no address for mta-sts.example.com (nxdomain)"),
        HOSTS,
        [Code.MTA_STS_POLICY_FETCH_FAILED],
        S.BROKEN,
        id="policy-host-does-not-resolve",
    ),
    pytest.param(
        GOOD_TXT,
        fetched(status=404),
        HOSTS,
        [Code.MTA_STS_POLICY_FETCH_FAILED],
        S.BROKEN,
        id="http-404",
    ),
    pytest.param(
        GOOD_TXT,
        PolicyFetch("u", status=200, body=POLICY, truncated=True),
        HOSTS,
        [Code.MTA_STS_POLICY_FETCH_FAILED],
        S.BROKEN,
        id="too-large",
    ),
    pytest.param(
        GOOD_TXT,
        PolicyFetch("u", status=301, redirect_to="https://elsewhere/"),
        HOSTS,
        [Code.MTA_STS_REDIRECT],
        S.BROKEN,
        id="redirect-not-followed",
    ),
    pytest.param(
        GOOD_TXT,
        fetched(content_type="text/html"),
        HOSTS,
        [Code.MTA_STS_MEDIA_TYPE],
        S.BROKEN,
        id="media-type",
    ),
    pytest.param(
        GOOD_TXT,
        fetched(POLICY.replace("STSv1", "STSv2")),
        HOSTS,
        [Code.MTA_STS_POLICY_INVALID],
        S.BROKEN,
        id="policy-invalid",
    ),
    pytest.param(
        GOOD_TXT,
        fetched(POLICY.replace("enforce", "testing")),
        HOSTS,
        [Code.MTA_STS_MODE_TESTING],
        S.TESTING,
        id="testing",
    ),
    pytest.param(
        GOOD_TXT,
        fetched("version: STSv1\nmode: none\nmax_age: 86400\n"),
        HOSTS,
        [Code.MTA_STS_MODE_NONE],
        S.NONE,
        id="none",
    ),
    pytest.param(
        GOOD_TXT,
        fetched(),
        ("mx1.example.com", "backup.example.org"),
        [Code.MTA_STS_MX_NOT_COVERED],
        S.ENFORCE,
        id="mx-not-covered",
    ),
    pytest.param(
        GOOD_TXT,
        fetched(),
        ("example.com",),
        [Code.MTA_STS_MX_NOT_COVERED],
        S.BROKEN,
        id="implicit-mx-must-be-listed",
    ),
    pytest.param(
        GOOD_TXT,
        fetched(POLICY.replace("604800", "3600")),
        HOSTS,
        [Code.MTA_STS_MAX_AGE_SHORT],
        S.ENFORCE,
        id="max-age-short",
    ),
]


@pytest.mark.parametrize(("txt", "fetch", "hosts", "codes", "status"), MTA_STS_CASES)
def test_mta_sts_findings_and_status(txt, fetch, hosts, codes, status):
    assessment = assess_mta_sts(D, txt, fetch, hosts)
    assert [f.code for f in assessment.findings] == [str(c) for c in codes]
    assert assessment.status is status


def test_mta_sts_never_produces_a_critical_finding():
    mta_codes = [code for code in Code if code.startswith("mta_sts")]
    assert all(CATALOGUE[code].severity is not Severity.CRITICAL for code in mta_codes)


def test_summary_carries_id_mode_max_age_and_mx():
    summary = assess_mta_sts(D, GOOD_TXT, fetched(), HOSTS).summary
    assert (summary["id"], summary["mode"], summary["max_age"]) == ("abc", "enforce", 604800)
    assert summary["mx"] == ["mx1.example.com", "*.example.net"]
    assert summary["fetch"]["status"] == 200


def test_uncovered_mx_fix_lists_the_missing_lines():
    assessment = assess_mta_sts(D, GOOD_TXT, fetched(), ("backup.example.org",))
    assert "mx: backup.example.org" in assessment.findings[0].fix


@given(st.text())
def test_parsers_never_raise(text):
    parse_sts_txt(text)
    parse_sts_policy(text)
    media_type_ok(text)
