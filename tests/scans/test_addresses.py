"""The outbound address guard refuses every IANA special-purpose block, entry by entry.

The tables below are the IANA IPv4 and IPv6 Special-Purpose Address Registries as published
(each entry on its own, including those IANA marks "globally reachable"), plus multicast and
the deprecated site-local block. They are written out here independently of the guard's own
(coarser) deny list, so a block missing there fails here.
"""

from __future__ import annotations

import ipaddress

import pytest

from scans.addresses import is_public_address

IANA_IPV4 = {
    "0.0.0.0/8": "this network",
    "0.0.0.0/32": "this host on this network",
    "10.0.0.0/8": "private-use",
    "100.64.0.0/10": "shared address space",
    "127.0.0.0/8": "loopback",
    "169.254.0.0/16": "link local",
    "172.16.0.0/12": "private-use",
    "192.0.0.0/24": "IETF protocol assignments",
    "192.0.0.0/29": "IPv4 service continuity prefix",
    "192.0.0.8/32": "IPv4 dummy address",
    "192.0.0.9/32": "port control protocol anycast",
    "192.0.0.10/32": "traversal using relays around NAT anycast",
    "192.0.0.170/32": "NAT64/DNS64 discovery",
    "192.0.0.171/32": "NAT64/DNS64 discovery",
    "192.0.2.0/24": "documentation (TEST-NET-1)",
    "192.31.196.0/24": "AS112-v4",
    "192.52.193.0/24": "AMT",
    "192.88.99.0/24": "deprecated 6to4 relay anycast",
    "192.168.0.0/16": "private-use",
    "192.175.48.0/24": "direct delegation AS112 service",
    "198.18.0.0/15": "benchmarking",
    "198.51.100.0/24": "documentation (TEST-NET-2)",
    "203.0.113.0/24": "documentation (TEST-NET-3)",
    "240.0.0.0/4": "reserved",
    "255.255.255.255/32": "limited broadcast",
    "224.0.0.0/4": "multicast (own registry)",
}

IANA_IPV6 = {
    "::1/128": "loopback",
    "::/128": "unspecified",
    "::ffff:0:0/96": "IPv4-mapped",
    "64:ff9b::/96": "IPv4-IPv6 translation",
    "64:ff9b:1::/48": "IPv4-IPv6 translation, local use",
    "100::/64": "discard-only",
    "100:0:0:1::/64": "dummy IPv6 prefix",
    "2001::/23": "IETF protocol assignments",
    "2001::/32": "TEREDO",
    "2001:1::1/128": "port control protocol anycast",
    "2001:1::2/128": "traversal using relays around NAT anycast",
    "2001:1::3/128": "DNS-SD service registration protocol anycast",
    "2001:2::/48": "benchmarking",
    "2001:3::/32": "AMT",
    "2001:4:112::/48": "AS112-v6",
    "2001:10::/28": "deprecated ORCHID",
    "2001:20::/28": "ORCHIDv2",
    "2001:30::/28": "drone remote ID protocol entity tags",
    "2001:db8::/32": "documentation",
    "2002::/16": "6to4",
    "2620:4f:8000::/48": "direct delegation AS112 service",
    "3fff::/20": "documentation",
    "5f00::/16": "segment routing SIDs",
    "fc00::/7": "unique-local",
    "fe80::/10": "link-local unicast",
    "fec0::/10": "site-local (deprecated, RFC 3879; not in the registry)",
    "ff00::/8": "multicast (own registry)",
}


def _samples(block: str) -> list[str]:
    """The first, second and last address of the block (one for a /32 or /128)."""
    net = ipaddress.ip_network(block)
    picks = {net.network_address, net.broadcast_address}
    if net.num_addresses > 2:
        picks.add(net.network_address + 1)
    return sorted(str(a) for a in picks)


@pytest.mark.parametrize(
    "block", [*IANA_IPV4, *IANA_IPV6], ids=lambda b: f"{b} {({**IANA_IPV4, **IANA_IPV6})[b]}"
)
def test_every_special_purpose_block_is_refused(block):
    allowed = [address for address in _samples(block) if is_public_address(address)]
    assert allowed == []


@pytest.mark.parametrize(
    "address",
    [
        "::ffff:10.0.0.1",  # IPv4-mapped private
        "2002:a00:1::1",  # 6to4 wrapping 10.0.0.1
        "2002:808:808::1",  # 6to4 wrapping a public address: the relay is still not ours to use
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "4000::1",  # outside global unicast 2000::/3
    ],
)
def test_addresses_that_reach_other_networks_through_a_translator_are_refused(address):
    assert is_public_address(address) is False


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "100.63.255.255",  # just below shared address space
        "172.32.0.1",  # just above 172.16.0.0/12
        "192.0.1.1",  # between IETF assignments and TEST-NET-1
        "2606:4700:4700::1111",
        "2001:200::1",  # just past 2001::/23
        "2003::1",  # just past 6to4
        "::ffff:8.8.8.8",  # IPv4-mapped public: judged as the IPv4 address
    ],
)
def test_ordinary_public_addresses_are_allowed(address):
    assert is_public_address(address) is True
