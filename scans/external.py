"""External rua destinations and the ``<domain>._report._tls.<host>`` authorization (pure).

This is a vendor convention borrowed from DMARC (RFC 7489 section 7.1), not part of RFC 8460,
which lets senders deliver to any destination (protocol.md section 4). TLSMon reports it as info
and never lets it change the verdict.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

from core.vocabulary import AuthorizationStatus
from scans.findings import Code, make_finding
from scans.observations import Answer, AuthorizationLookup, Outcome
from scans.results import ExternalAuthorization, Finding, TlsmonAuthorization
from scans.rua_uri import RuaUri

AUTH_PREFIX = "v=TLSRPTv1"


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    # Same choice as accounts.domain_names: only the ICANN section defines registrable domains.
    return PublicSuffixList(only_icann=True, accept_unknown=False)


def registrable_domain(name: str) -> str:
    """The Public Suffix List registrable domain; an IP is its own; for a suffix the list
    does not know (``.localhost``, ``.test``) the last two labels."""
    name = name.lower().rstrip(".")
    try:
        ipaddress.ip_address(name)
        return name
    except ValueError:
        pass
    return _psl().privatesuffix(name) or ".".join(name.split(".")[-2:])


def is_external(policy_domain: str, rua_host: str) -> bool:
    return registrable_domain(policy_domain) != registrable_domain(rua_host)


def authorization_name(policy_domain: str, rua_host: str) -> str:
    return f"{policy_domain}._report._tls.{rua_host}"


def wildcard_name(rua_host: str) -> str:
    return f"*._report._tls.{rua_host}"


def is_tlsmon_host(host: str, tlsmon_hosts: Sequence[str]) -> bool:
    """The destination is this TLSMon installation: one of its report hosts (the mailbox
    domain, the HTTPS intake host) or a name below one."""
    for own in (h.lower().rstrip(".") for h in tlsmon_hosts):
        if own and (host == own or host.endswith("." + own)):
            return True
    return False


def _authorizes(answer: Answer[str] | None) -> bool:
    return (
        answer is not None and answer.ok and any(r.startswith(AUTH_PREFIX) for r in answer.records)
    )


def authorization_status(
    exact: Answer[str] | None, wildcard: Answer[str] | None
) -> AuthorizationStatus:
    """Judge the exact and wildcard TXT answers. A resolver sees a wildcard's synthesized
    answer at the exact name, so an exact answer identical to the wildcard's counts as the
    wildcard (an explicit record with the very same text is labelled wildcard too; harmless)."""
    if exact is None:
        return AuthorizationStatus.LOOKUP_ERROR
    if _authorizes(exact):
        synthesized = (
            wildcard is not None
            and _authorizes(wildcard)
            and set(wildcard.records) == set(exact.records)
        )
        return (
            AuthorizationStatus.WILDCARD_AUTHORIZED
            if synthesized
            else AuthorizationStatus.AUTHORIZED
        )
    if exact.outcome is Outcome.ERROR:
        return AuthorizationStatus.LOOKUP_ERROR
    if exact.outcome in (Outcome.NXDOMAIN, Outcome.NODATA):
        if _authorizes(wildcard):
            return AuthorizationStatus.WILDCARD_AUTHORIZED
        if wildcard is not None and wildcard.outcome is Outcome.ERROR:
            return AuthorizationStatus.LOOKUP_ERROR
    return AuthorizationStatus.MISSING


def external_hosts(
    domain: str, uris: Sequence[RuaUri], tlsmon_hosts: Sequence[str] = ()
) -> list[str]:
    """Distinct hosts that need the authorization lookup, in order: those of the record's
    usable destinations outside the domain, then TLSMon's own hosts outside it (looked up
    even before the record names them: see ``TlsmonAuthorization``)."""
    hosts = [uri.host for uri in uris if uri.usable and is_external(domain, uri.host)]
    hosts += [host for host in tlsmon_hosts if is_external(domain, host)]
    return list(dict.fromkeys(hosts))


def assess_tlsmon_hosts(
    domain: str, lookups: Sequence[AuthorizationLookup], tlsmon_hosts: Sequence[str]
) -> tuple[TlsmonAuthorization, ...]:
    """The operator-side authorization of each of TLSMon's hosts that was looked up."""
    by_host = {lookup.rua_host: lookup for lookup in lookups}
    return tuple(
        TlsmonAuthorization(
            host,
            authorization_name(domain, host),
            authorization_status(by_host[host].answer, by_host[host].wildcard),
        )
        for host in tlsmon_hosts
        if host in by_host
    )


def assess_external(
    domain: str,
    uris: Sequence[RuaUri],
    lookups: Sequence[AuthorizationLookup],
    tlsmon_hosts: tuple[str, ...] = (),
) -> tuple[list[ExternalAuthorization], list[Finding]]:
    """One ``ExternalAuthorization`` per usable destination and info findings per host."""
    by_host = {lookup.rua_host: lookup for lookup in lookups}
    rows: list[ExternalAuthorization] = []
    findings: list[Finding] = []
    reported: set[str] = set()
    for uri in (uri for uri in uris if uri.usable):
        name = authorization_name(domain, uri.host)
        status = AuthorizationStatus.NOT_NEEDED
        if is_external(domain, uri.host):
            lookup = by_host.get(uri.host)
            status = authorization_status(
                lookup.answer if lookup else None, lookup.wildcard if lookup else None
            )
        tlsmon = is_tlsmon_host(uri.host, tlsmon_hosts)
        rows.append(ExternalAuthorization(uri.host, uri.uri, name, status, tlsmon))
        if uri.host not in reported:
            reported.add(uri.host)
            findings.extend(_finding(domain, uri.host, name, status))
    return rows, findings


def _finding(domain: str, host: str, name: str, status: AuthorizationStatus) -> list[Finding]:
    if status is AuthorizationStatus.MISSING:
        return [
            make_finding(Code.RUA_UNAUTHORIZED_EXTERNAL, domain=domain, detail=host, auth_name=name)
        ]
    if status is AuthorizationStatus.LOOKUP_ERROR:
        return [make_finding(Code.RUA_AUTHORIZATION_UNKNOWN, domain=domain, detail=name)]
    return []
