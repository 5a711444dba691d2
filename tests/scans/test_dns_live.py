"""The dnspython resolver against a real authoritative server (Knot) on loopback."""

from __future__ import annotations

import asyncio
import time

import pytest

from scans.dns import build_resolver, get_resolver
from scans.observations import MxRecord, Outcome

pytestmark = pytest.mark.live


def test_txt_answer_with_ttl(dns_server, resolver, zone_name):
    dns_server.set_zone(zone_name, ['_smtp._tls 600 TXT "v=TLSRPTv1; rua=mailto:r@example.net"'])

    answer = asyncio.run(resolver.txt(f"_smtp._tls.{zone_name}"))

    assert answer.outcome is Outcome.OK
    assert answer.records == ("v=TLSRPTv1; rua=mailto:r@example.net",)
    assert answer.ttl == 600
    assert answer.cnames == ()


def test_txt_character_strings_are_joined_without_spaces(dns_server, resolver, zone_name):
    dns_server.set_zone(zone_name, ['_smtp._tls TXT "v=TLSRPTv1;" "rua=mailto:r@" "example.net"'])

    answer = asyncio.run(resolver.txt(f"_smtp._tls.{zone_name}"))

    assert answer.records == ("v=TLSRPTv1;rua=mailto:r@example.net",)


def test_txt_several_records_are_kept_apart(dns_server, resolver, zone_name):
    dns_server.set_zone(zone_name, ['@ TXT "one"', '@ TXT "two" "three"'])

    answer = asyncio.run(resolver.txt(zone_name))

    assert sorted(answer.records) == ["one", "twothree"]


def test_txt_bytes_that_are_not_utf8_are_replaced(dns_server, resolver, zone_name):
    dns_server.set_zone(zone_name, [r'@ TXT "v=TLSRPTv1;\255"'])

    answer = asyncio.run(resolver.txt(zone_name))

    assert answer.records == ("v=TLSRPTv1;\ufffd",)


def test_existing_name_without_the_type_is_nodata(dns_server, resolver, zone_name):
    dns_server.set_zone(zone_name, ["@ MX 10 mail"])

    answer = asyncio.run(resolver.txt(zone_name))

    assert answer.outcome is Outcome.NODATA
    assert answer.records == ()
    assert answer.ttl == 60  # the SOA minimum: negative-caching TTL


def test_missing_name_is_nxdomain(dns_server, resolver, zone_name):
    dns_server.set_zone(zone_name, ["@ MX 10 mail"])

    answer = asyncio.run(resolver.txt(f"_smtp._tls.{zone_name}"))

    assert answer.outcome is Outcome.NXDOMAIN


def test_name_outside_the_servers_zones_is_a_refused_error(dns_server, resolver):
    answer = asyncio.run(resolver.txt("example.invalid"))

    assert answer.outcome is Outcome.ERROR
    assert answer.error == "REFUSED"


def test_refused_inside_a_zone_is_an_error(dns_server, resolver, zone_name):
    dns_server.set_refused_zone(zone_name)

    answer = asyncio.run(resolver.mx(zone_name))

    assert (answer.outcome, answer.error) == (Outcome.ERROR, "REFUSED")


def test_zone_that_failed_to_load_is_a_servfail_error(dns_server, resolver, zone_name):
    dns_server.set_broken_zone(zone_name)

    answer = asyncio.run(resolver.txt(zone_name))

    assert (answer.outcome, answer.error) == (Outcome.ERROR, "SERVFAIL")


def test_silent_nameserver_is_a_timeout_error_naming_the_resolver_after_retries(
    silent_dns_server,
):
    resolver = build_resolver([silent_dns_server.address], timeout=0.3, retries=1)
    before = silent_dns_server.queries
    host, port = silent_dns_server.address

    answer = asyncio.run(resolver.txt("example.test"))

    assert (answer.outcome, answer.error) == (
        Outcome.ERROR,
        f"no answer from {host}:{port} within 0.3 s",
    )
    assert resolver.queries == 2
    assert silent_dns_server.queries - before >= 2


def test_servfail_is_retried(servfail_dns_server):
    resolver = build_resolver([servfail_dns_server.address], timeout=1.0, retries=2)

    answer = asyncio.run(resolver.mx("example.test"))

    assert (answer.outcome, answer.error) == (Outcome.ERROR, "SERVFAIL")
    assert resolver.queries == 3


def test_queries_beyond_the_in_flight_cap_wait_their_turn(silent_dns_server):
    resolver = build_resolver([silent_dns_server.address], timeout=0.3, retries=0, max_in_flight=1)

    async def three() -> list:
        return await asyncio.gather(*(resolver.txt(f"n{i}.example.test") for i in range(3)))

    started = time.monotonic()
    answers = asyncio.run(three())

    assert [a.error for a in answers] == [
        resolver.no_answer()
    ] * 3  # the wait is not counted as DNS time
    assert time.monotonic() - started >= 0.85


def test_one_resolver_serves_several_event_loops(dns_server, zone_name):
    resolver = build_resolver(dns_server.nameservers, timeout=2.0, retries=0, max_in_flight=2)
    dns_server.set_zone(zone_name, ['@ TXT "x"'])

    async def many() -> set:
        answers = await asyncio.gather(*(resolver.txt(zone_name) for _ in range(10)))
        return {answer.outcome for answer in answers}

    assert asyncio.run(many()) == asyncio.run(many()) == {Outcome.OK}


def test_refused_is_not_retried(dns_server):
    resolver = build_resolver(dns_server.nameservers, timeout=1.0, retries=3)

    asyncio.run(resolver.txt("example.invalid"))

    assert resolver.queries == 1


def test_cname_is_followed_and_reported(dns_server, resolver, zone_name):
    dns_server.set_zone(
        zone_name,
        ["_smtp._tls CNAME hop", "hop CNAME final", 'final TXT "v=TLSRPTv1; rua=mailto:a@b.c"'],
    )

    answer = asyncio.run(resolver.txt(f"_smtp._tls.{zone_name}"))

    assert answer.outcome is Outcome.OK
    assert answer.records == ("v=TLSRPTv1; rua=mailto:a@b.c",)
    assert answer.cnames == (f"hop.{zone_name}", f"final.{zone_name}")


def test_cname_to_a_missing_name_is_nxdomain_with_the_chain(dns_server, resolver, zone_name):
    dns_server.set_zone(zone_name, ["_smtp._tls CNAME gone"])

    answer = asyncio.run(resolver.txt(f"_smtp._tls.{zone_name}"))

    assert answer.outcome is Outcome.NXDOMAIN
    assert answer.cnames == (f"gone.{zone_name}",)


def test_cname_to_a_name_without_the_type_is_nodata_with_the_chain(dns_server, resolver, zone_name):
    dns_server.set_zone(zone_name, ["_smtp._tls CNAME there", "there MX 0 ."])

    answer = asyncio.run(resolver.txt(f"_smtp._tls.{zone_name}"))

    assert answer.outcome is Outcome.NODATA
    assert answer.cnames == (f"there.{zone_name}",)


def test_mx_exchanges_are_lower_case_without_dot_and_sorted(dns_server, resolver, zone_name):
    dns_server.set_zone(zone_name, ["@ MX 20 MX2.Example.NET.", "@ MX 10 Mail"])

    answer = asyncio.run(resolver.mx(zone_name.upper() + "."))

    assert answer.name == zone_name
    assert answer.records == (MxRecord(10, f"mail.{zone_name}"), MxRecord(20, "mx2.example.net"))


def test_null_mx_exchange_is_empty(dns_server, resolver, zone_name):
    dns_server.set_zone(zone_name, ["@ MX 0 ."])

    answer = asyncio.run(resolver.mx(zone_name))

    assert answer.records == (MxRecord(0, ""),)


def test_addresses_gathers_a_and_aaaa(dns_server, resolver, zone_name):
    dns_server.set_zone(zone_name, ["@ A 192.0.2.10", "@ AAAA 2001:db8::10"])

    answer = asyncio.run(resolver.addresses(zone_name))

    assert answer.outcome is Outcome.OK
    assert answer.records == ("192.0.2.10", "2001:db8::10")
    assert resolver.queries == 2


def test_addresses_with_only_aaaa_is_ok(dns_server, resolver, zone_name):
    dns_server.set_zone(zone_name, ["@ AAAA 2001:db8::25"])

    answer = asyncio.run(resolver.addresses(zone_name))

    assert (answer.outcome, answer.records) == (Outcome.OK, ("2001:db8::25",))


def test_addresses_of_a_name_without_any_is_nodata(dns_server, resolver, zone_name):
    dns_server.set_zone(zone_name, ["@ MX 10 mail"])

    answer = asyncio.run(resolver.addresses(zone_name))

    assert answer.outcome is Outcome.NODATA


def test_get_resolver_asks_the_configured_nameservers(dns_server, settings, zone_name):
    settings.TLSMON_DNS_NAMESERVERS = dns_server.nameservers
    settings.TLSMON_DNS_TIMEOUT = 1.5
    settings.TLSMON_DNS_RETRIES = 0
    dns_server.set_zone(zone_name, ['@ TXT "from knot"'])

    answer = asyncio.run(get_resolver().txt(zone_name))

    assert answer.records == ("from knot",)
