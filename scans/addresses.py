"""Which IP addresses the scanner may connect to (pure: no Django, no I/O).

An MTA-STS policy host is a public web server. ``ipaddress``'s ``is_global`` is the first test,
but its tables lag the IANA special-purpose registries and call some of their blocks global
(6to4 ``2002::/16``, the deprecated site-local ``fec0::/10``, NAT64 ``64:ff9b::/96``, AS112 and
anycast relays, and blocks added since, such as ``3fff::/20`` and ``5f00::/16``). So every
block of both registries is also refused here by name, whether or not IANA calls it "globally
reachable": none of them holds a web server, and some reach private networks through a
translator (6to4, Teredo, NAT64 embed an IPv4 address). IPv6 must also be global unicast
(``2000::/3``), which covers the unassigned space. IPv4-mapped IPv6 is judged as its IPv4.
"""

from __future__ import annotations

import ipaddress

# IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and later updates), plus
# multicast, limited broadcast and site-local; coarse blocks cover their sub-entries.
DENIED_NETWORKS = tuple(
    ipaddress.ip_network(block)
    for block in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # shared address space (carrier-grade NAT)
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link local
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments (incl. PCP/TURN anycast, NAT64 discovery)
        "192.0.2.0/24",  # documentation TEST-NET-1
        "192.31.196.0/24",  # AS112-v4
        "192.52.193.0/24",  # AMT
        "192.88.99.0/24",  # deprecated 6to4 relay anycast
        "192.168.0.0/16",  # private
        "192.175.48.0/24",  # direct delegation AS112 service
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation TEST-NET-2
        "203.0.113.0/24",  # documentation TEST-NET-3
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and 255.255.255.255 limited broadcast
        "::/8",  # unspecified, loopback, IPv4-compatible and -mapped
        "64:ff9b::/96",  # IPv4/IPv6 translation (NAT64)
        "64:ff9b:1::/48",  # local-use IPv4/IPv6 translation
        "100::/64",  # discard-only
        "100:0:0:1::/64",  # dummy IPv6 prefix
        "2001::/23",  # IETF protocol assignments: Teredo, benchmarking, AMT, AS112, ORCHID, ...
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4
        "2620:4f:8000::/48",  # direct delegation AS112 service
        "3fff::/20",  # documentation
        "5f00::/16",  # segment routing (SRv6) SIDs
        "fc00::/7",  # unique local
        "fe80::/10",  # link local
        "fec0::/10",  # site local (deprecated, RFC 3879)
        "ff00::/8",  # multicast
    )
)
_GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")


def is_public_address(address: str) -> bool:
    """True only for a globally routed unicast address outside every special-purpose block."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv6Address) and ip not in _GLOBAL_UNICAST_V6:
        return False
    if any(ip.version == net.version and ip in net for net in DENIED_NETWORKS):
        return False
    return ip.is_global
