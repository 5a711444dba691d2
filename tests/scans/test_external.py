"""External rua destinations and the vendor-convention authorization (protocol.md section 4)."""

from __future__ import annotations

import pytest

from core.vocabulary import AuthorizationStatus as S
from core.vocabulary import Severity
from scans.external import (
    assess_external,
    authorization_name,
    authorization_status,
    is_external,
    is_tlsmon_host,
    registrable_domain,
)
from scans.findings import CATALOGUE, Code
from scans.observations import AuthorizationLookup
from scans.records import parse_tlsrpt_record
from tests.scans.fakes import nodata, nxdomain, ok, servfail

D = "example.com"
HOST = "reports.vendor.net"
EXACT = authorization_name(D, HOST)
WILD = f"*._report._tls.{HOST}"


@pytest.mark.parametrize(
    ("policy_domain", "host", "external"),
    [
        pytest.param("example.com", "example.com", False, id="same-domain"),
        pytest.param("example.com", "mail.example.com", False, id="subdomain-of-policy-domain"),
        pytest.param("sub.example.com", "example.com", False, id="parent-same-registrable"),
        pytest.param("example.co.uk", "mail.example.co.uk", False, id="multi-label-suffix"),
        pytest.param("example.co.uk", "other.co.uk", True, id="sibling-under-public-suffix"),
        pytest.param("example.com", "vendor.net", True, id="other-domain"),
        pytest.param("a.github.io", "b.github.io", False, id="private-psl-section-ignored"),
        pytest.param("example.com", "192.0.2.1", True, id="ip-host"),
        pytest.param(
            "t1.tlsmon.test", "reports.tlsmon.test", False, id="unknown-suffix-two-labels"
        ),
    ],
)
def test_external_means_a_different_registrable_domain(policy_domain, host, external):
    assert is_external(policy_domain, host) is external


def test_registrable_domain_uses_the_icann_public_suffix_list():
    assert registrable_domain("a.b.example.co.uk.") == "example.co.uk"


def test_authorization_record_name():
    assert authorization_name(D, HOST) == "example.com._report._tls.reports.vendor.net"


@pytest.mark.parametrize(
    ("exact", "wildcard", "status"),
    [
        pytest.param(ok(EXACT, "v=TLSRPTv1;"), nxdomain(WILD), S.AUTHORIZED, id="exact-record"),
        pytest.param(ok(EXACT, "v=TLSRPTv1"), None, S.AUTHORIZED, id="no-semicolon-enough"),
        pytest.param(
            ok(EXACT, "v=spf1", "v=TLSRPTv1; x=1"),
            nxdomain(WILD),
            S.AUTHORIZED,
            id="one-of-several-txt",
        ),
        pytest.param(ok(EXACT, "v=spf1 -all"), nxdomain(WILD), S.MISSING, id="other-txt-only"),
        pytest.param(ok(EXACT, "v=tlsrptv1"), nxdomain(WILD), S.MISSING, id="version-case"),
        pytest.param(nxdomain(EXACT), nxdomain(WILD), S.MISSING, id="nothing"),
        pytest.param(
            nxdomain(EXACT), ok(WILD, "v=TLSRPTv1;"), S.WILDCARD_AUTHORIZED, id="wildcard"
        ),
        pytest.param(
            nodata(EXACT), ok(WILD, "v=TLSRPTv1;"), S.WILDCARD_AUTHORIZED, id="wildcard-nodata"
        ),
        pytest.param(
            ok(EXACT, "v=TLSRPTv1;"),
            ok(WILD, "v=TLSRPTv1;"),
            S.WILDCARD_AUTHORIZED,
            id="synthesized-answer-labelled-wildcard",
        ),
        pytest.param(
            ok(EXACT, "v=TLSRPTv1; own"),
            ok(WILD, "v=TLSRPTv1;"),
            S.AUTHORIZED,
            id="explicit-record-beside-wildcard",
        ),
        pytest.param(servfail(EXACT), ok(WILD, "v=TLSRPTv1;"), S.LOOKUP_ERROR, id="exact-servfail"),
        pytest.param(nxdomain(EXACT), servfail(WILD), S.LOOKUP_ERROR, id="wildcard-servfail"),
        pytest.param(None, None, S.LOOKUP_ERROR, id="not-looked-up"),
    ],
)
def test_authorization_status(exact, wildcard, status):
    assert authorization_status(exact, wildcard) is status


@pytest.mark.parametrize(
    ("host", "tlsmon_hosts", "expected"),
    [
        pytest.param("reports.tlsmon.example", ("reports.tlsmon.example",), True, id="equal"),
        pytest.param("in.reports.tlsmon.example", ("reports.tlsmon.example",), True, id="below"),
        pytest.param(
            "xreports.tlsmon.example", ("reports.tlsmon.example",), False, id="not-a-label"
        ),
        pytest.param("reports.tlsmon.example", ("",), False, id="no-report-domain"),
        pytest.param(
            "app.tlsmon.example",
            ("reports.tlsmon.example", "app.tlsmon.example"),
            True,
            id="https-intake-host",
        ),
    ],
)
def test_tlsmon_host(host, tlsmon_hosts, expected):
    assert is_tlsmon_host(host, tlsmon_hosts) is expected


def lookup(exact, wildcard=None) -> AuthorizationLookup:
    return AuthorizationLookup(HOST, exact, wildcard)


EXTERNAL_CASES = [
    pytest.param(f"mailto:tlsrpt@{D}", (), [], S.NOT_NEEDED, id="own-domain-not-needed"),
    pytest.param(
        f"mailto:r@{HOST}", (lookup(ok(EXACT, "v=TLSRPTv1;")),), [], S.AUTHORIZED, id="authorized"
    ),
    pytest.param(
        f"mailto:r@{HOST}",
        (lookup(nxdomain(EXACT), nxdomain(WILD)),),
        [Code.RUA_UNAUTHORIZED_EXTERNAL],
        S.MISSING,
        id="unauthorized-external",
    ),
    pytest.param(
        f"https://{HOST}/tlsrpt",
        (lookup(servfail(EXACT)),),
        [Code.RUA_AUTHORIZATION_UNKNOWN],
        S.LOOKUP_ERROR,
        id="authorization-lookup-error",
    ),
]


@pytest.mark.parametrize(("uri", "lookups", "codes", "status"), EXTERNAL_CASES)
def test_external_findings(uri, lookups, codes, status):
    record = parse_tlsrpt_record(f"v=TLSRPTv1; rua={uri}")
    rows, findings = assess_external(D, record.rua, lookups)
    assert [f.code for f in findings] == [str(c) for c in codes]
    assert [row.status for row in rows] == [status]


def test_unauthorized_external_is_info_and_says_it_is_a_vendor_convention():
    record = parse_tlsrpt_record(f"v=TLSRPTv1; rua=mailto:r@{HOST}")
    _, [finding] = assess_external(D, record.rua, (lookup(nxdomain(EXACT)),))
    assert finding.severity is Severity.INFO
    assert "vendor convention" in finding.message
    assert "not an RFC 8460 requirement" in finding.message
    assert "never changes the verdict" in finding.message
    assert f'{EXACT}. 3600 IN TXT "v=TLSRPTv1;"' in finding.fix


def test_authorization_codes_are_info():
    for code in (Code.RUA_UNAUTHORIZED_EXTERNAL, Code.RUA_AUTHORIZATION_UNKNOWN):
        assert CATALOGUE[code].severity is Severity.INFO


def test_destination_at_tlsmon_is_marked():
    record = parse_tlsrpt_record("v=TLSRPTv1; rua=mailto:tok@reports.tlsmon.example")
    rows, _ = assess_external(D, record.rua, (), tlsmon_hosts=("reports.tlsmon.example",))
    assert rows[0].is_tlsmon and rows[0].record_name.endswith(
        "._report._tls.reports.tlsmon.example"
    )


def test_one_finding_per_host_even_with_several_uris():
    record = parse_tlsrpt_record(f"v=TLSRPTv1; rua=mailto:a@{HOST},https://{HOST}/x")
    rows, findings = assess_external(D, record.rua, (lookup(nxdomain(EXACT)),))
    assert (len(rows), len(findings)) == (2, 1)
