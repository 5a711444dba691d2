"""Verdict, score and gaps from hand-written observations (protocol.md sections 6 and 8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.vocabulary import Gap, MtaStsStatus, Severity, Verdict
from scans.evaluate import evaluate
from scans.findings import CATALOGUE, Code, make_finding
from scans.observations import Answer, AuthorizationLookup, Observations, Outcome, PolicyFetch
from scans.results import Finding
from scans.scoring import CAP, MTA_STS_MAX_WEIGHT, score_findings, verdict_for
from tests.scans.fakes import ENFORCE_POLICY, mx, nodata, nxdomain, ok, policy, servfail
from tests.scans.test_external import EXTERNAL_CASES
from tests.scans.test_mta_sts import MTA_STS_CASES
from tests.scans.test_records import RECORD_CASES

D = "example.com"
RECORD = f"v=TLSRPTv1; rua=mailto:tlsrpt@{D}"
TLS = f"_smtp._tls.{D}"
STS = f"_mta-sts.{D}"


def obs(**overrides) -> Observations:
    """A healthy domain (MX, record, MTA-STS TXT, no policy fetched) with ``overrides``."""
    values = {
        "mx": mx(D, (10, f"mx.{D}")),
        "tlsrpt": ok(TLS, RECORD),
        "mta_sts_txt": ok(STS, "v=STSv1; id=abc"),
    }
    values.update(overrides)
    return Observations(D, **values)


EXT = "vendor.net"
EXT_RECORD = ok(TLS, f"v=TLSRPTv1; rua=mailto:r@{EXT}")
EXT_LOOKUP = AuthorizationLookup(EXT, nxdomain(f"{D}._report._tls.{EXT}"))

EVALUATE_CASES = [
    pytest.param(obs(), "pass", [], id="healthy"),
    # MX first (section 6)
    pytest.param(obs(mx=servfail(D)), "error", [Code.DNS_ERROR], id="mx-servfail-is-error"),
    pytest.param(obs(mx=nxdomain(D)), "not_applicable", [Code.MX_NXDOMAIN], id="domain-nxdomain"),
    pytest.param(obs(mx=mx(D, (0, ""))), "not_applicable", [Code.NULL_MX], id="null-mx"),
    pytest.param(
        obs(mx=mx(D, (10, ""))),
        "not_applicable",
        [Code.NULL_MX, Code.NULL_MX_MIXED],
        id="null-mx-wrong-preference",
    ),
    pytest.param(
        obs(mx=mx(D, (0, ""), (10, f"mx.{D}"))),
        "warn",
        [Code.NULL_MX_MIXED],
        id="null-mx-mixed-with-real-mx",
    ),
    pytest.param(
        obs(mx=nodata(D), addresses=ok(D, "192.0.2.1")), "pass", [], id="implicit-mx-applies"
    ),
    pytest.param(
        obs(mx=nodata(D), addresses=nodata(D)),
        "not_applicable",
        [Code.NO_MX],
        id="no-mx-no-address",
    ),
    pytest.param(
        obs(mx=nodata(D), addresses=servfail(D)),
        "error",
        [Code.DNS_ERROR],
        id="address-servfail-is-error",
    ),
    pytest.param(obs(mx=nodata(D)), "error", [Code.DNS_ERROR], id="addresses-not-looked-up"),
    # then _smtp._tls
    pytest.param(obs(tlsrpt=servfail(TLS)), "error", [Code.DNS_ERROR], id="txt-servfail-is-error"),
    pytest.param(obs(tlsrpt=None), "error", [Code.DNS_ERROR], id="txt-not-looked-up"),
    pytest.param(obs(tlsrpt=nxdomain(TLS)), "fail", [Code.MISSING_RECORD], id="txt-nxdomain"),
    pytest.param(obs(tlsrpt=nodata(TLS)), "fail", [Code.MISSING_RECORD], id="txt-nodata"),
    pytest.param(
        obs(tlsrpt=ok(TLS, RECORD, cnames=("tlsrpt.provider.net",))),
        "pass",
        [Code.CNAME_ON_SMTP_TLS],
        id="cname-followed-is-info",
    ),
    pytest.param(
        obs(tlsrpt=Answer(TLS, Outcome.NODATA, cnames=("gone.provider.net",))),
        "fail",
        [Code.MISSING_RECORD, Code.CNAME_ON_SMTP_TLS],
        id="cname-to-nothing-fails",
    ),
    # companions that never change the verdict
    pytest.param(
        obs(mta_sts_txt=nxdomain(STS)),
        "pass",
        [Code.MTA_STS_COMPANION_MISSING],
        id="no-mta-sts-is-info",
    ),
    pytest.param(
        obs(tlsrpt=EXT_RECORD, authorizations=(EXT_LOOKUP,)),
        "pass",
        [Code.RUA_UNAUTHORIZED_EXTERNAL],
        id="external-unauthorized-is-info",
    ),
]


def both_axes(result) -> list[str]:
    return sorted(f.code for f in (*result.findings, *result.mta_sts_findings))


@pytest.mark.parametrize(("observations", "verdict", "codes"), EVALUATE_CASES)
def test_evaluation_order_and_verdict(observations, verdict, codes):
    result = evaluate(observations)
    assert (result.verdict, both_axes(result)) == (
        Verdict(verdict),
        sorted(str(code) for code in codes),
    )


@pytest.mark.parametrize(("txt", "fetch", "hosts", "codes", "status"), MTA_STS_CASES)
def test_mta_sts_never_moves_the_verdict(txt, fetch, hosts, codes, status):
    """Every MTA-STS situation beside a good TLS-RPT record: verdict pass, the MTA-STS
    findings and status on their own axis (protocol.md section 8b)."""
    mx_hosts = mx(D, *((10 * n, host) for n, host in enumerate(hosts, 1)))
    result = evaluate(obs(mx=mx_hosts, mta_sts_txt=txt, mta_sts_policy=fetch))
    assert (result.verdict, result.findings) == (Verdict.PASS, ())
    assert (result.mta_sts_status, both_axes(result)) == (status, sorted(map(str, codes)))


def test_unresolvable_policy_host_is_pass_with_mta_sts_broken():
    fetch = PolicyFetch("u", error="no address for mta-sts.example.com (nxdomain)")
    result = evaluate(obs(mta_sts_policy=fetch))
    assert (result.verdict, result.mta_sts_status) == (Verdict.PASS, MtaStsStatus.BROKEN)
    assert result.gaps == (Gap.MTA_STS_BROKEN,)
    data = result.as_dict()
    assert (data["verdict"], data["mta_sts"]["status"]) == ("pass", "broken")
    assert [f["code"] for f in data["mta_sts"]["findings"]] == ["mta_sts_policy_fetch_failed"]
    assert list(data["findings"]) == []


@pytest.mark.parametrize(
    ("observations", "verdict", "status"),
    [
        pytest.param(obs(mx=mx(D, (0, ""))), "not_applicable", None, id="null-mx-no-status"),
        pytest.param(obs(mx=servfail(D)), "error", MtaStsStatus.ERROR, id="mx-error"),
        pytest.param(
            obs(tlsrpt=servfail(TLS), mta_sts_policy=policy(D, ENFORCE_POLICY)),
            "error",
            MtaStsStatus.ENFORCE,
            id="tlsrpt-error-mta-sts-known",
        ),
        pytest.param(
            obs(tlsrpt=nxdomain(TLS), mta_sts_policy=policy(D, ENFORCE_POLICY)),
            "fail",
            MtaStsStatus.ENFORCE,
            id="no-record-enforce",
        ),
        pytest.param(
            obs(mta_sts_txt=servfail(STS)), "pass", MtaStsStatus.ERROR, id="mta-sts-lookup-error"
        ),
    ],
)
def test_the_two_axes_are_independent(observations, verdict, status):
    result = evaluate(observations)
    assert (result.verdict, result.mta_sts_status) == (Verdict(verdict), status)
    assert result.as_dict()["mta_sts"]["status"] == (str(status) if status else None)


@pytest.mark.parametrize(
    "observations",
    [
        obs(mx=servfail(D)),
        obs(tlsrpt=servfail(TLS)),
        obs(mx=nodata(D), addresses=servfail(D)),
        obs(tlsrpt=servfail(TLS), mta_sts_txt=servfail(STS)),
    ],
    ids=["mx", "txt", "addresses", "txt-and-mta-sts"],
)
def test_dns_failures_give_error_and_never_fail(observations):
    result = evaluate(observations)
    assert (result.verdict, result.score, result.gaps) == (Verdict.ERROR, None, (Gap.DNS_ERROR,))


@pytest.mark.parametrize(
    ("observations", "gaps"),
    [
        pytest.param(obs(tlsrpt=nxdomain(TLS)), (Gap.NO_RECORD,), id="missing"),
        pytest.param(obs(tlsrpt=ok(TLS, RECORD, RECORD + "x")), (Gap.NO_RECORD,), id="multiple"),
        pytest.param(obs(tlsrpt=ok(TLS, "v=TLSRPTv1;")), (Gap.BROKEN_RECORD,), id="rua-missing"),
        pytest.param(obs(mta_sts_txt=nxdomain(STS)), (Gap.NO_MTA_STS,), id="no-mta-sts"),
        pytest.param(
            obs(mta_sts_policy=policy(D, ENFORCE_POLICY.replace("enforce", "testing"))),
            (Gap.MTA_STS_TESTING,),
            id="mta-sts-testing",
        ),
        pytest.param(
            obs(mta_sts_policy=policy(D, "garbage")), (Gap.MTA_STS_BROKEN,), id="mta-sts-broken"
        ),
        pytest.param(
            obs(tlsrpt=EXT_RECORD, authorizations=(EXT_LOOKUP,)),
            (Gap.EXTERNAL_UNAUTHORIZED,),
            id="external",
        ),
        pytest.param(obs(mx=mx(D, (0, ""))), (), id="not-applicable-has-no-gap"),
    ],
)
def test_gaps(observations, gaps):
    assert evaluate(observations).gaps == gaps


@pytest.mark.parametrize(
    ("observations", "score"),
    [
        pytest.param(obs(), 100, id="clean-pass"),
        pytest.param(obs(tlsrpt=nxdomain(TLS)), 0, id="missing-record"),
        pytest.param(obs(mx=mx(D, (0, ""))), None, id="not-applicable-has-no-score"),
        pytest.param(obs(mx=servfail(D)), None, id="error-has-no-score"),
        pytest.param(obs(mta_sts_txt=nxdomain(STS)), 95, id="no-mta-sts"),
        pytest.param(obs(mta_sts_policy=policy(D, "garbage")), 85, id="mta-sts-broken"),
        pytest.param(
            obs(mta_sts_policy=policy(D, "garbage", content_type="text/html")),
            100 - MTA_STS_MAX_WEIGHT,
            id="mta-sts-weight-capped",
        ),
        pytest.param(
            obs(tlsrpt=ok(TLS, RECORD + ","), mta_sts_policy=policy(D, "garbage")),
            70,
            id="warn-plus-mta-sts-broken",
        ),
        pytest.param(obs(tlsrpt=ok(TLS, RECORD + ",")), 85, id="one-warning"),
        pytest.param(obs(tlsrpt=ok(TLS, "v=TLSRPTv1; rua=http://x.io")), 40, id="fail-capped"),
    ],
)
def test_score(observations, score):
    assert evaluate(observations).score == score


def test_result_fills_records_mx_mta_sts_and_rua():
    result = evaluate(obs(mta_sts_policy=policy(D, ENFORCE_POLICY)))
    assert result.records["smtp_tls"] == [RECORD]
    assert result.records["smtp_tls_selected"] == RECORD
    assert result.mx == {
        "kind": "normal",
        "hosts": [f"mx.{D}"],
        "records": [{"preference": 10, "exchange": f"mx.{D}"}],
        "error": "",
    }
    assert (result.mta_sts["mode"], result.mta_sts["id"]) == ("enforce", "abc")
    assert result.rua == (f"mailto:tlsrpt@{D}",)


def test_implicit_mx_is_the_domain_itself_for_mta_sts():
    result = evaluate(
        obs(mx=nodata(D), addresses=ok(D, "192.0.2.1"), mta_sts_policy=policy(D, ENFORCE_POLICY))
    )
    assert result.mx["kind"] == "implicit"
    assert [f.code for f in result.mta_sts_findings] == ["mta_sts_mx_not_covered"]
    assert result.mta_sts_status is MtaStsStatus.BROKEN


def test_missing_record_fix_suggests_an_example_mailbox_and_says_so():
    [finding] = evaluate(obs(tlsrpt=nxdomain(TLS))).findings
    assert '_smtp._tls.example.com. 3600 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@example.com"' in (
        finding.fix
    )
    assert "is an example" in finding.fix


def test_version_fix_reuses_the_domains_own_destination():
    bad = ok(TLS, "v=tlsrptv1; rua=mailto:reports@example.org")
    [finding] = evaluate(obs(tlsrpt=bad)).findings
    assert 'TXT "v=TLSRPTv1; rua=mailto:reports@example.org"' in finding.fix
    assert "example" not in finding.fix.split('"')[-1]


def test_two_records_fix_merges_their_destinations():
    two = ok(TLS, RECORD, "v=TLSRPTv1; rua=https://r.example.net/t")
    [finding] = evaluate(obs(tlsrpt=two)).findings
    assert f"rua=mailto:tlsrpt@{D},https://r.example.net/t" in finding.fix


@pytest.mark.parametrize("code", list(Code))
def test_every_catalogue_entry_renders_for_a_domain(code):
    finding = make_finding(code, domain="example.org", detail="DETAIL")
    assert "example.org" in finding.message and "{" not in finding.message + finding.fix


def test_every_finding_code_is_covered_by_a_table():
    """A new code without a table row fails here."""
    tables = [RECORD_CASES, MTA_STS_CASES, EXTERNAL_CASES, EVALUATE_CASES]
    covered = {code for table in tables for row in table for code in _codes(row.values)}
    assert covered == set(Code)


def _codes(values) -> set[Code]:
    return {
        v
        for value in values
        if isinstance(value, list | frozenset)
        for v in value
        if isinstance(v, Code)
    }


_findings = st.lists(
    st.builds(
        Finding,
        code=st.sampled_from(list(Code)),
        severity=st.sampled_from(list(Severity)),
        message=st.just("m"),
    ),
    max_size=6,
)


@given(_findings, _findings)
def test_score_never_contradicts_the_verdict(findings, sts_findings):
    verdict = verdict_for(findings)
    assert 0 <= score_findings(findings, verdict, sts_findings) <= CAP[verdict]


def test_catalogue_covers_every_code_once():
    assert set(CATALOGUE) == set(Code)


def test_docs_list_every_finding_code():
    text = (Path(__file__).resolve().parents[2] / "docs" / "scanning.md").read_text()
    assert [code for code in Code if f"| `{code}` |" not in text] == []


def test_suggested_records_are_valid_themselves():
    [finding] = evaluate(obs(tlsrpt=ok(TLS, "v=TLSRPTv1; rua=mailto:a!b@example.com"))).findings
    assert 'rua=mailto:a%21b@example.com"' in finding.fix
