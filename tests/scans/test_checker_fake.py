"""Orchestration of one check (``scans.checker``) against the honest fakes in ``fakes.py``.

These pin which lookups happen, in which order and concurrently; the real DNS and HTTPS
servers are exercised in test_dns_live.py and test_https_live.py.
"""

from __future__ import annotations

import asyncio

from core.vocabulary import AuthorizationStatus, Verdict
from scans.checker import check, check_sync, gather
from scans.observations import Answer, MxRecord
from tests.scans.fakes import (
    ENFORCE_POLICY,
    FakeFetcher,
    FakeResolver,
    healthy_resolver,
    mx,
    nodata,
    ok,
    policy,
    servfail,
)

D = "example.com"


def run(resolver, fetcher=None, tlsmon_hosts=()):
    return asyncio.run(gather(D, resolver=resolver, fetcher=fetcher, tlsmon_hosts=tlsmon_hosts))


def test_a_healthy_domain_asks_mx_then_both_txt_names_and_fetches_the_policy():
    resolver = healthy_resolver()
    fetcher = FakeFetcher({D: policy(D, ENFORCE_POLICY)})
    observations = run(resolver, fetcher)
    assert resolver.asked[0] == (D, "MX")
    assert set(resolver.asked[1:]) == {(f"_smtp._tls.{D}", "TXT"), (f"_mta-sts.{D}", "TXT")}
    assert fetcher.fetched == [D]
    assert observations.mta_sts_policy.status == 200


def test_timings_are_recorded_per_step():
    observations = run(healthy_resolver(), FakeFetcher({D: policy(D, ENFORCE_POLICY)}))
    assert set(observations.timings_ms) == {
        "mx",
        "smtp_tls",
        "mta_sts_txt",
        "mta_sts_policy",
        "authorizations",
    }


def test_domain_nxdomain_stops_after_mx():
    resolver = FakeResolver()
    observations = run(resolver)
    assert resolver.asked == [(D, "MX")]
    assert observations.tlsrpt is None


def test_mx_servfail_stops_after_mx_and_gives_error():
    resolver = healthy_resolver().set("MX", servfail(D))
    result = check_sync(D, resolver=resolver)
    assert resolver.asked == [(D, "MX")]
    assert result.verdict is Verdict.ERROR


def test_null_mx_stops_after_mx():
    resolver = healthy_resolver().set("MX", mx(D, (0, "")))
    assert check_sync(D, resolver=resolver).verdict is Verdict.NOT_APPLICABLE
    assert resolver.asked == [(D, "MX")]


def test_addresses_are_asked_only_without_an_mx_rrset():
    with_mx = healthy_resolver()
    run(with_mx)
    without = healthy_resolver().set("MX", nodata(D)).set("ADDR", ok(D, "192.0.2.1"))
    observations = run(without)
    assert (D, "ADDR") not in with_mx.asked
    assert (D, "ADDR") in without.asked
    assert observations.addresses.records == ("192.0.2.1",)


def test_no_policy_fetch_without_an_stsv1_record():
    resolver = healthy_resolver().set("TXT", ok(f"_mta-sts.{D}", "v=spf1 -all"))
    fetcher = FakeFetcher()
    run(resolver, fetcher)
    assert fetcher.fetched == []


def test_no_policy_fetch_with_two_stsv1_records():
    resolver = healthy_resolver().set("TXT", ok(f"_mta-sts.{D}", "v=STSv1; id=a", "v=STSv1; id=b"))
    fetcher = FakeFetcher()
    run(resolver, fetcher)
    assert fetcher.fetched == []


def test_no_fetcher_means_no_policy_and_no_crash():
    result = check_sync(D, resolver=healthy_resolver(), fetcher=None)
    assert result.verdict is Verdict.PASS and result.mta_sts["fetch"] is None


def test_external_rua_hosts_get_the_exact_and_wildcard_lookup():
    resolver = healthy_resolver().set(
        "TXT", ok(f"_smtp._tls.{D}", "v=TLSRPTv1; rua=mailto:a@vendor.net,https://vendor.net/x")
    )
    observations = run(resolver)
    asked = [name for name, _ in resolver.asked]
    assert asked.count(f"{D}._report._tls.vendor.net") == 1
    assert asked.count("*._report._tls.vendor.net") == 1
    assert [lookup.rua_host for lookup in observations.authorizations] == ["vendor.net"]


def test_own_domain_rua_needs_no_authorization_lookup():
    resolver = healthy_resolver()
    run(resolver)
    assert not any("_report._tls" in name for name, _ in resolver.asked)


def test_wildcard_authorization_is_labelled():
    """GIVEN a rua at TLSMon and only ``*._report._tls.<host>`` published
    WHEN the domain is checked
    THEN the destination is wildcard-authorized and marked as TLSMon itself."""
    host = "reports.tlsmon.example"
    resolver = (
        healthy_resolver()
        .set("TXT", ok(f"_smtp._tls.{D}", f"v=TLSRPTv1; rua=mailto:tok@{host}"))
        .set("TXT", ok(f"*._report._tls.{host}", "v=TLSRPTv1;"))
    )
    result = check_sync(D, resolver=resolver, tlsmon_hosts=(host,))
    [row] = result.external_authorizations
    assert (row.status, row.is_tlsmon) == (AuthorizationStatus.WILDCARD_AUTHORIZED, True)
    assert result.findings == ()


class SlowResolver(FakeResolver):
    """Counts lookups in flight, to show that independent lookups overlap."""

    in_flight: int = 0
    peak: int = 0

    async def _slow(self, answer: Answer) -> Answer:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1
        return answer

    async def txt(self, name: str) -> Answer[str]:
        return await self._slow(self._answer(name, "TXT"))

    async def addresses(self, name: str) -> Answer[str]:
        return await self._slow(self._answer(name, "ADDR"))

    async def mx(self, name: str) -> Answer[MxRecord]:
        return await self._slow(self._answer(name, "MX"))


def test_independent_lookups_run_concurrently():
    resolver = SlowResolver().set("MX", nodata(D)).set("ADDR", ok(D, "192.0.2.1"))
    run(resolver)
    assert resolver.peak == 3  # A/AAAA, _smtp._tls and _mta-sts together


def test_check_is_evaluate_of_gather():
    resolver = healthy_resolver()
    result = asyncio.run(check(D, resolver=resolver))
    assert (result.domain, result.verdict, result.rua) == (
        D,
        Verdict.PASS,
        (f"mailto:tlsrpt@{D}",),
    )
