"""Whole domain checks (``scans.checker.check``) against real DNS (Knot) and HTTPS on loopback.

Each test publishes its domain's zones, runs the real resolver and policy fetcher, and checks the
verdict and finding codes. DNS failures must give ``error``, never ``fail``.
"""

from __future__ import annotations

import asyncio

import pytest

from core.vocabulary import AuthorizationStatus, Gap, MtaStsStatus, Verdict
from scans.checker import check
from tests.scans.servers import PolicyResponse

pytestmark = pytest.mark.live

RECORD = '_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tlsrpt@{domain}"'
MX = ["@ MX 10 mail", "mail A 192.0.2.25"]


def run(domain, resolver, fetcher=None):
    return asyncio.run(check(domain, resolver=resolver, fetcher=fetcher))


def codes(result):
    """Finding codes of both axes: TLS-RPT first, then MTA-STS."""
    return [finding.code for finding in (*result.findings, *result.mta_sts_findings)]


NO_STS = "mta_sts_companion_missing"  # info: these domains publish no MTA-STS


def test_fully_configured_domain_passes(dns_server, mta_sts_server, resolver, fetcher, zone_name):
    """
    GIVEN MX, a TLS-RPT record, an MTA-STS TXT and a policy (enforce) that covers the MX
    WHEN the domain is checked with the real fetcher
    THEN the verdict is pass with no findings and the policy was fetched over HTTPS
    """
    sts = ['_mta-sts TXT "v=STSv1; id=20250101"', "mta-sts A 127.0.0.1"]
    dns_server.set_zone(zone_name, [*MX, RECORD.format(domain=zone_name), *sts])
    policy = f"version: STSv1\nmode: enforce\nmx: mail.{zone_name}\nmax_age: 1209600\n"
    mta_sts_server.serve(zone_name, PolicyResponse(body=policy))

    result = run(zone_name, resolver, fetcher)

    assert (result.verdict, codes(result)) == (Verdict.PASS, [])
    assert result.rua == (f"mailto:tlsrpt@{zone_name}",)
    assert result.mta_sts["mode"] == "enforce"
    assert result.mta_sts_status is MtaStsStatus.ENFORCE


def test_missing_record_fails(dns_server, resolver, zone_name):
    dns_server.set_zone(zone_name, MX)

    result = run(zone_name, resolver)

    assert result.verdict is Verdict.FAIL
    assert "missing_record" in codes(result)


def test_null_mx_is_not_applicable(dns_server, resolver, zone_name):
    dns_server.set_zone(zone_name, ["@ MX 0 ."])

    result = run(zone_name, resolver)

    assert (result.verdict, codes(result)) == (Verdict.NOT_APPLICABLE, ["null_mx"])


def test_implicit_mx_domain_needs_a_record(dns_server, resolver, zone_name):
    dns_server.set_zone(zone_name, ["@ A 192.0.2.25"])

    result = run(zone_name, resolver)

    assert result.verdict is Verdict.FAIL
    assert result.mx["kind"] == "implicit"


def test_servfail_at_smtp_tls_is_an_error_not_a_failure(dns_server, resolver, zone_name):
    dns_server.set_zone(zone_name, MX)
    dns_server.set_broken_zone(f"_smtp._tls.{zone_name}")

    result = run(zone_name, resolver)

    assert (result.verdict, codes(result)) == (Verdict.ERROR, ["dns_error", NO_STS])
    assert "SERVFAIL" in result.findings[0].message


def test_refused_at_smtp_tls_is_an_error_not_a_failure(dns_server, resolver, zone_name):
    dns_server.set_zone(zone_name, MX)
    dns_server.set_refused_zone(f"_smtp._tls.{zone_name}")

    result = run(zone_name, resolver)

    assert (result.verdict, codes(result)) == (Verdict.ERROR, ["dns_error", NO_STS])
    assert "REFUSED" in result.findings[0].message


def test_mx_timeout_is_an_error(silent_dns_server):
    from scans.dns import build_resolver

    resolver = build_resolver([silent_dns_server.address], timeout=0.2, retries=0)

    result = run("example.test", resolver)

    assert (result.verdict, codes(result)) == (Verdict.ERROR, ["dns_error"])


def test_cname_at_smtp_tls_is_followed_and_noted(dns_server, resolver, zone_name):
    target = f'rpt TXT "v=TLSRPTv1; rua=mailto:tlsrpt@{zone_name}"'
    dns_server.set_zone(zone_name, [*MX, "_smtp._tls CNAME rpt", target])

    result = run(zone_name, resolver)

    assert (result.verdict, codes(result)) == (Verdict.PASS, ["cname_on_smtp_tls", NO_STS])


def _external(dns_server, zone_name, provider, provider_records):
    """Publish ``zone_name`` with rua at ``provider`` (another registrable domain)."""
    rua = f'_smtp._tls TXT "v=TLSRPTv1; rua=mailto:{zone_name}@{provider}"'
    dns_server.set_zone(zone_name, [*MX, rua])
    dns_server.set_zone(provider, provider_records)


def test_external_rua_with_authorization_record(dns_server, resolver, zone_name):
    provider = f"rpt-{zone_name.split('.')[0]}.example"
    _external(dns_server, zone_name, provider, [f'{zone_name}._report._tls TXT "v=TLSRPTv1;"'])

    result = run(zone_name, resolver)

    assert (result.verdict, codes(result)) == (Verdict.PASS, [NO_STS])
    assert result.external_authorizations[0].status is AuthorizationStatus.AUTHORIZED


def test_external_rua_without_authorization_is_info_only(dns_server, resolver, zone_name):
    provider = f"rpt-{zone_name.split('.')[0]}.example"
    _external(dns_server, zone_name, provider, ["@ MX 10 mx"])

    result = run(zone_name, resolver)

    assert (result.verdict, codes(result)) == (Verdict.PASS, ["rua_unauthorized_external", NO_STS])
    assert result.external_authorizations[0].status is AuthorizationStatus.MISSING


def test_external_rua_with_wildcard_authorization(dns_server, resolver, zone_name):
    provider = f"rpt-{zone_name.split('.')[0]}.example"
    _external(dns_server, zone_name, provider, ['*._report._tls TXT "v=TLSRPTv1;"'])

    result = run(zone_name, resolver)

    assert (result.verdict, codes(result)) == (Verdict.PASS, [NO_STS])
    status = result.external_authorizations[0].status
    assert status is AuthorizationStatus.WILDCARD_AUTHORIZED


def test_external_rua_authorization_lookup_error_is_info(dns_server, resolver, zone_name):
    provider = f"rpt-{zone_name.split('.')[0]}.example"
    rua = f'_smtp._tls TXT "v=TLSRPTv1; rua=mailto:{zone_name}@{provider}"'
    dns_server.set_zone(zone_name, [*MX, rua])
    dns_server.set_broken_zone(provider)

    result = run(zone_name, resolver)

    assert (result.verdict, codes(result)) == (Verdict.PASS, ["rua_authorization_unknown", NO_STS])


def test_tlsmon_side_authorization_is_looked_up_before_the_record_names_tlsmon(
    dns_server, resolver, zone_name
):
    """Onboarding says whether TLSMon's operator published ``<domain>._report._tls.<host>``
    while the domain has no record yet: one host authorized, the other not. Info only: the
    verdict and findings are those of the missing record alone."""
    label = zone_name.split(".")[0]
    mailbox_host, https_host = f"reports-{label}.example", f"app-{label}.example"
    dns_server.set_zone(zone_name, MX)
    dns_server.set_zone(mailbox_host, [f'{zone_name}._report._tls TXT "v=TLSRPTv1;"'])
    dns_server.set_zone(https_host, ["@ MX 10 mx"])
    plain = run(zone_name, resolver)

    result = asyncio.run(
        check(zone_name, resolver=resolver, tlsmon_hosts=(mailbox_host, https_host))
    )

    assert result.verdict is Verdict.FAIL
    assert codes(result) == codes(plain)
    assert result.external_authorizations == ()  # the record names no destination at all
    assert [(a.host, a.record_name, a.status) for a in result.tlsmon_authorizations] == [
        (mailbox_host, f"{zone_name}._report._tls.{mailbox_host}", AuthorizationStatus.AUTHORIZED),
        (https_host, f"{zone_name}._report._tls.{https_host}", AuthorizationStatus.MISSING),
    ]


def test_policy_not_covering_the_mx_is_reported(
    dns_server, mta_sts_server, resolver, fetcher, zone_name
):
    sts = ['_mta-sts TXT "v=STSv1; id=20250102"', "mta-sts A 127.0.0.1"]
    dns_server.set_zone(zone_name, [*MX, RECORD.format(domain=zone_name), *sts])
    policy = "version: STSv1\nmode: enforce\nmx: mx.elsewhere.example\nmax_age: 1209600\n"
    mta_sts_server.serve(zone_name, PolicyResponse(body=policy))

    result = run(zone_name, resolver, fetcher)

    assert "mta_sts_mx_not_covered" in codes(result)
    assert (result.verdict, result.mta_sts_status) == (Verdict.PASS, MtaStsStatus.BROKEN)


def test_policy_redirect_is_reported(dns_server, mta_sts_server, resolver, fetcher, zone_name):
    sts = ['_mta-sts TXT "v=STSv1; id=20250103"', "mta-sts A 127.0.0.1"]
    dns_server.set_zone(zone_name, [*MX, RECORD.format(domain=zone_name), *sts])
    mta_sts_server.serve(zone_name, PolicyResponse(status=302, location="https://x.example/"))

    result = run(zone_name, resolver, fetcher)

    assert "mta_sts_redirect" in codes(result)
    assert (result.verdict, result.mta_sts_status) == (Verdict.PASS, MtaStsStatus.BROKEN)


def test_policy_host_that_does_not_resolve_is_mta_sts_broken_not_a_worse_verdict(
    dns_server, mta_sts_server, resolver, fetcher, zone_name
):
    """
    GIVEN a good TLS-RPT record and an _mta-sts TXT, but no address for mta-sts.<domain>
    WHEN the domain is checked with the real fetcher
    THEN the verdict stays pass (senders still report) and MTA-STS is broken, gap mta_sts_broken
    """
    sts = ['_mta-sts TXT "v=STSv1; id=20250104"']
    dns_server.set_zone(zone_name, [*MX, RECORD.format(domain=zone_name), *sts])

    result = run(zone_name, resolver, fetcher)

    assert (result.verdict, result.mta_sts_status) == (Verdict.PASS, MtaStsStatus.BROKEN)
    assert (codes(result), result.gaps) == (["mta_sts_policy_fetch_failed"], (Gap.MTA_STS_BROKEN,))
    assert "no address for mta-sts." in result.mta_sts["fetch"]["error"]


def test_check_domain_with_a_silent_resolver_names_it_and_blames_nobody_else(
    silent_dns_server, settings
):
    """The CLI against a resolver that never answers: the verdict is error with no score, and
    the text names that resolver and its timeout instead of the domain's servers."""
    import io

    from django.core.management import call_command

    settings.TLSMON_DNS_TIMEOUT, settings.TLSMON_DNS_RETRIES = 0.3, 0
    host, port = silent_dns_server.address
    out = io.StringIO()
    call_command("check_domain", "gmail.com", "--nameserver", f"{host}:{port}", stdout=out)
    text = out.getvalue()

    assert text.startswith("gmail.com: ERROR (no score: the check could not tell")
    assert f"Resolver: {host}:{port}\n" in text
    assert f"no answer from {host}:{port} within 0.3 s" in text
    assert "retried later" not in text
    assert "authoritative servers of gmail.com answer" not in text
