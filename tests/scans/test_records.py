"""TLS-RPT record rules (protocol.md sections 1 and 8): one table row per rule; pure, no DB."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.vocabulary import Severity, Verdict
from scans.findings import CATALOGUE, Code
from scans.records import check_tlsrpt_txt, generate_record, parse_tlsrpt_record
from scans.scoring import verdict_for

GOOD = "v=TLSRPTv1; rua=mailto:tlsrpt@example.com"


def rua(value: str) -> list[str]:
    return [f"v=TLSRPTv1; rua={value}"]


def case(txts, codes, verdict, name):
    return pytest.param(txts, frozenset(codes), Verdict(verdict), id=name)


M, V, MR = Code.MISSING_RECORD, Code.VERSION_INVALID, Code.MULTIPLE_RECORDS
RM, RI, SY = Code.RUA_MISSING, Code.RUA_INVALID_URI, Code.SYNTAX_INVALID
SP, BANG, UT, DR = (
    Code.STRICT_PARSER_RISK,
    Code.RUA_UNENCODED_CHAR,
    Code.UNKNOWN_TAG,
    Code.DUPLICATE_RUA,
)

RECORD_CASES = [
    # selection (section 1 "Record selection", section 8 missing/version/multiple)
    case([GOOD], [], "pass", "canonical-record"),
    case(["v=TLSRPTv1;rua=mailto:a@example.com"], [], "pass", "no-space-after-gate"),
    case([GOOD + ";"], [], "pass", "trailing-semicolon-allowed"),
    case([GOOD + " ; "], [], "pass", "trailing-delimiter-with-wsp-allowed"),
    case(["v=TLSRPTv1;\trua=mailto:a@example.com"], [], "pass", "htab-is-wsp"),
    case(["v=TLSRPTv1;rua=mailto:a@example.com"], [], "pass", "strings-joined-no-space"),
    case([], [M], "fail", "no-txt-at-all"),
    case(["v=spf1 -all"], [M], "fail", "only-non-tlsrpt-txt"),
    case(["v=spf1 -all", "google-site-verification=abc", GOOD], [], "pass", "other-txt-harmless"),
    case(["v=tlsrptv1; rua=mailto:a@example.com"], [V], "fail", "version-lower-case"),
    case(["V=TLSRPTv1; rua=mailto:a@example.com"], [V], "fail", "version-tag-upper-case"),
    case(["v=TLSRPT1; rua=mailto:a@example.com"], [V], "fail", "version-TLSRPT1"),
    case(["v=TLSRPTv2; rua=mailto:a@example.com"], [V], "fail", "version-TLSRPTv2"),
    case([" v=TLSRPTv1; rua=mailto:a@example.com"], [V], "fail", "leading-space"),
    case(["v = TLSRPTv1; rua=mailto:a@example.com"], [V], "fail", "space-around-version-eq"),
    case(["rua=mailto:a@example.com"], [V], "fail", "version-missing-rua-present"),
    case(["rua=mailto:a@example.com; v=TLSRPTv1"], [V], "fail", "version-not-first"),
    case(["v=TLSRPTv1"], [V], "fail", "version-alone-fails-gate"),
    case(["v=DMARC1; p=none; rua=mailto:d@example.com"], [V], "fail", "dmarc-record-misplaced"),
    case([GOOD, "v=tlsrpt; hello"], [], "pass", "stray-lookalike-next-to-valid"),
    case([GOOD, "v=TLSRPTv1; rua=mailto:b@example.com"], [MR], "fail", "two-gated-records"),
    case([GOOD, GOOD], [MR], "fail", "same-record-twice"),
    case(
        ["v=TLSRPTv1 ; rua=mailto:a@example.com", "v=TLSRPTv1 ;rua=mailto:b@example.com"],
        [MR],
        "fail",
        "two-abnf-valid-ungated-records",
    ),
    # literal gate vs ABNF (strict_parser_risk)
    case(["v=TLSRPTv1 ; rua=mailto:a@example.com"], [SP], "warn", "abnf-valid-fails-gate"),
    case([GOOD, "V=TLSRPTv1; rua=mailto:b@example.com"], [SP], "warn", "case-variant-duplicate"),
    case([GOOD, "v=tlsrptv1;rua=mailto:b@example.com"], [SP], "warn", "lower-case-duplicate"),
    case([GOOD, "v=TLSRPTv1 ;rua=mailto:b@example.com"], [SP], "warn", "spacing-duplicate"),
    case([GOOD + "; RUA=mailto:b@example.com"], [SP, UT], "warn", "rua-and-RUA-in-one-record"),
    # rua presence and tags (tags are case-sensitive)
    case(["v=TLSRPTv1;"], [RM], "fail", "no-rua-field"),
    case(["v=TLSRPTv1; rua="], [RM], "fail", "empty-rua"),
    case(["v=TLSRPTv1; RUA=mailto:a@example.com"], [RM, UT], "fail", "upper-case-RUA-unknown"),
    case(["v=TLSRPTv1; ext=1"], [RM, UT], "fail", "only-extension"),
    case([GOOD + "; x-vendor=abc"], [UT], "pass", "unknown-extension-ignored"),
    case([GOOD + "; rua=mailto:b@example.com"], [DR], "pass", "two-rua-fields"),
    case(rua("mailto:a@example.com,mailto:a@example.com"), [DR], "pass", "same-uri-twice"),
    case(rua("mailto:a@example.com , https://r.example.com/t"), [], "pass", "wsp-around-comma"),
    # URIs (RFC 3986, RFC 6068)
    case(rua("http://r.example.com/t"), [RI], "fail", "http-scheme"),
    case(rua("ftp://r.example.com/t"), [RI], "fail", "ftp-scheme"),
    case(rua("tlsrpt@example.com"), [RI], "fail", "bare-address-no-scheme"),
    case(rua("mailto:a@example.com,http://x.example"), [RI], "warn", "one-usable-remains"),
    case(rua("mailto:postmaster"), [RI], "fail", "mailto-without-at"),
    case(rua("mailto:"), [RI], "fail", "mailto-empty"),
    case(rua("mailto:a@-bad-.example.com"), [RI], "fail", "mailto-bad-ldh-domain"),
    case(rua("mailto:a@localhost"), [RI], "fail", "mailto-single-label"),
    case(rua("mailto:a@[192.0.2.1]"), [RI], "fail", "mailto-domain-literal"),
    case(rua("mailto:a@exämple.com"), [RI], "fail", "mailto-u-label-not-allowed"),
    case(rua("mailto:a@xn--exmple-cua.com"), [], "pass", "mailto-a-label"),
    case(rua("mailto:a@xn--zz.com"), [RI], "fail", "mailto-broken-a-label"),
    case(rua("mailto:a@example.com?subject=tlsrpt"), [], "pass", "mailto-hfields"),
    case(rua("MAILTO:a@example.com"), [], "pass", "scheme-case-insensitive-mailto"),
    case(rua("HTTPS://r.example.com/t"), [], "pass", "scheme-case-insensitive-https"),
    case(rua("https://r.example.com:8443/tlsrpt"), [], "pass", "https-with-port"),
    case(rua("https://192.0.2.7/tlsrpt"), [], "pass", "https-ip-host"),
    case(rua("https:///tlsrpt"), [RI], "fail", "https-without-host"),
    case(rua("https://r.example.com:99999/"), [RI], "fail", "https-bad-port"),
    case(rua("mailto:a b@example.com"), [RI], "fail", "raw-space-in-uri"),
    case(rua('mailto:"a"@example.com'), [RI], "fail", "quotes-in-uri"),
    case(rua("mailto:a%zz@example.com"), [RI], "fail", "bad-percent-escape"),
    case(rua("https://r.example.com/a%2Cb%3Bc"), [], "pass", "encoded-comma-semicolon"),
    case(rua("mailto:a%21b@example.com"), [], "pass", "encoded-bang"),
    case(rua("mailto:a!b@example.com"), [BANG], "warn", "unencoded-bang"),
    case(rua("mailto:a,b@example.com"), [RI], "fail", "unencoded-comma-splits-uri"),
    # syntax_invalid: outside the ABNF, tolerant parse recovers the destination
    case(rua("https://r.example.com/a;b"), [SY], "warn", "unencoded-semicolon-ends-field"),
    case(["v=TLSRPTv1; rua = mailto:a@example.com"], [SY], "warn", "space-around-eq"),
    case(["v=TLSRPTv1; rua= mailto:a@example.com"], [SY], "warn", "space-after-eq"),
    case(["v=TLSRPTv1;; rua=mailto:a@example.com"], [SY], "warn", "double-semicolon"),
    case(rua("mailto:a@example.com,"), [SY], "warn", "trailing-comma"),
    case([GOOD + "; hello"], [SY], "warn", "stray-token"),
    case([GOOD + " "], [SY], "warn", "trailing-space"),
    case([GOOD + "; ext=a b"], [SY, UT], "warn", "extension-value-with-space"),
    case([GOOD + "; " + "e" * 40 + "=1"], [SY, UT], "warn", "extension-name-too-long"),
    case(["v=TLSRPTv1; rua = "], [SY, RM], "fail", "syntax-and-nothing-recovered"),
]


def resolve(txts: list[str]) -> dict[Code, Severity]:
    return {
        issue.code: issue.severity or CATALOGUE[issue.code].severity
        for issue in check_tlsrpt_txt(txts).issues
    }


@pytest.mark.parametrize(("txts", "codes", "verdict"), RECORD_CASES)
def test_record_rules(txts, codes, verdict):
    found = resolve(txts)
    assert set(found) == codes
    worst = min(found.values(), key=list(Severity).index, default=Severity.INFO)
    expected = {Severity.CRITICAL: Verdict.FAIL, Severity.WARNING: Verdict.WARN}
    assert expected.get(worst, Verdict.PASS) == verdict


def test_the_record_in_use_keeps_its_usable_destinations_in_order():
    selection = check_tlsrpt_txt(rua("https://r.example.net/t,mailto:a@example.com,http://x.io"))
    assert selection.record.usable_rua == ("https://r.example.net/t", "mailto:a@example.com")


def test_rua_host_is_the_mailbox_domain_or_https_host_in_lower_case():
    record = parse_tlsrpt_record("v=TLSRPTv1; rua=mailto:A@Mail.Example.COM,https://R.example.net/")
    assert [uri.host for uri in record.rua] == ["mail.example.com", "r.example.net"]


GENERATE_CASES = [
    pytest.param(["tlsrpt@example.com"], "v=TLSRPTv1; rua=mailto:tlsrpt@example.com", id="bare"),
    pytest.param(
        ["a@example.com", "https://r.example.net/t"],
        "v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.net/t",
        id="mailbox-and-https",
    ),
    pytest.param(["a!b@example.com"], "v=TLSRPTv1; rua=mailto:a%21b@example.com", id="bang"),
    pytest.param(
        ["https://r.example.net/a,b;c!"],
        "v=TLSRPTv1; rua=https://r.example.net/a%2Cb%3Bc%21",
        id="https-encodes",
    ),
    pytest.param(
        ["a@exämple.com"], "v=TLSRPTv1; rua=mailto:a@xn--exmple-cua.com", id="idn-to-a-label"
    ),
    pytest.param(
        ["mailto:a@example.com?subject=x", " a@example.com "],
        "v=TLSRPTv1; rua=mailto:a@example.com?subject=x,mailto:a@example.com",
        id="mailto-kept-and-trimmed",
    ),
    pytest.param(
        ["a@example.com", "a@example.com"], "v=TLSRPTv1; rua=mailto:a@example.com", id="dedup"
    ),
]


@pytest.mark.parametrize(("destinations", "record"), GENERATE_CASES)
def test_generate_record(destinations, record):
    assert generate_record(destinations) == record


@pytest.mark.parametrize(
    ("destinations", "message"),
    [
        pytest.param([], "at least one destination", id="none"),
        pytest.param([" "], "empty", id="blank"),
        pytest.param(["http://r.example.net/t"], "use https", id="http"),
        pytest.param(["example.com"], "email address or an https", id="bare-domain"),
        pytest.param(["a b@example.com"], "not usable", id="space-in-address"),
        pytest.param(["a@localhost"], "not a full domain name", id="single-label"),
        pytest.param(["https:///x"], "without a host", id="https-no-host"),
        pytest.param(["a@exa mple.com"], "invalid domain", id="bad-idn"),
    ],
)
def test_generate_record_refuses_unusable_destinations(destinations, message):
    with pytest.raises(ValueError, match=message):
        generate_record(destinations)


@given(st.text())
def test_parsing_arbitrary_text_never_raises(text):
    parse_tlsrpt_record(text)
    check_tlsrpt_txt([text, text[:3]])


_local = st.from_regex(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,12}(\.[A-Za-z0-9_-]{1,8})?", fullmatch=True
)
_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_domain = st.lists(_label, min_size=1, max_size=3).map(lambda ls: ".".join([*ls, "com"]))
_mailbox = st.builds(lambda local, domain: f"{local}@{domain}", _local, _domain)
_path = st.text(alphabet="abc/,;!-._~", max_size=12)
_https = st.builds(lambda host, path: f"https://{host}/{path}", _domain, _path)


@given(st.lists(st.one_of(_mailbox, _https), min_size=1, max_size=4))
def test_generated_records_parse_without_warnings(destinations):
    found = resolve([generate_record(destinations)])
    assert not {code for code, sev in found.items() if sev is not Severity.INFO}


def test_verdict_helper_agrees_with_the_table_rule():
    assert verdict_for([]) is Verdict.PASS
