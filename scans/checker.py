"""Look up everything one domain check needs, through the DNS and HTTPS seams only.

``gather`` does the I/O and returns ``Observations``; ``check`` = ``evaluate(gather(...))``.
Independent lookups run concurrently; each step's wall time is kept in ``timings_ms``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable
from typing import TypeVar

from scans.dns import Resolver
from scans.evaluate import evaluate
from scans.external import authorization_name, external_hosts, wildcard_name
from scans.https import PolicyFetcher
from scans.mta_sts import select_sts_txt
from scans.observations import (
    Answer,
    AuthorizationLookup,
    MxRecord,
    Observations,
    Outcome,
    PolicyFetch,
)
from scans.records import check_tlsrpt_txt
from scans.results import CheckResult

T = TypeVar("T")


async def _timed(step: str, awaitable: Awaitable[T], timings: dict[str, int]) -> T:
    started = time.perf_counter()
    try:
        return await awaitable
    finally:
        timings[step] = int((time.perf_counter() - started) * 1000)


async def _none() -> None:
    return None


def _mx_settles_it(mx: Answer[MxRecord]) -> bool:
    """No further lookups change the verdict: MX error, NXDOMAIN, or a null MX alone."""
    if mx.outcome in (Outcome.ERROR, Outcome.NXDOMAIN):
        return True
    return mx.ok and bool(mx.records) and all(r.exchange in ("", ".") for r in mx.records)


async def gather(
    domain: str,
    *,
    resolver: Resolver,
    fetcher: PolicyFetcher | None,
    tlsmon_hosts: tuple[str, ...] = (),
    tlsmon_side: bool = True,
) -> Observations:
    """Look up MX, then (concurrently) A/AAAA when there is no MX RRset, ``_smtp._tls`` and
    ``_mta-sts`` TXT, then (concurrently) the MTA-STS policy when a ``v=STSv1`` record exists
    and the authorization TXT for each external rua host (and, with ``tlsmon_side``, for each
    of TLSMon's hosts outside the domain). Stops after MX when MX settles it."""
    timings: dict[str, int] = {}
    mx = await _timed("mx", resolver.mx(domain), timings)
    if _mx_settles_it(mx):
        return Observations(domain, mx, tlsmon_hosts=tlsmon_hosts, timings_ms=timings)
    need_addresses = not (mx.ok and mx.records)
    addresses, tlsrpt, sts_txt = await asyncio.gather(
        _timed("addresses", resolver.addresses(domain), timings) if need_addresses else _none(),
        _timed("smtp_tls", resolver.txt(f"_smtp._tls.{domain}"), timings),
        _timed("mta_sts_txt", resolver.txt(f"_mta-sts.{domain}"), timings),
    )
    policy, authorizations = await asyncio.gather(
        _fetch_policy(domain, sts_txt, fetcher, timings),
        _timed(
            "authorizations",
            _authorizations(domain, tlsrpt, resolver, tlsmon_hosts if tlsmon_side else ()),
            timings,
        ),
    )
    return Observations(
        domain,
        mx,
        addresses=addresses,
        tlsrpt=tlsrpt,
        mta_sts_txt=sts_txt,
        mta_sts_policy=policy,
        authorizations=authorizations,
        tlsmon_hosts=tlsmon_hosts,
        timings_ms=timings,
    )


async def _fetch_policy(
    domain: str, sts_txt: Answer[str], fetcher: PolicyFetcher | None, timings: dict[str, int]
) -> PolicyFetch | None:
    """The policy is fetched when exactly one ``v=STSv1;`` TXT record exists (with several,
    senders ignore MTA-STS). An otherwise invalid record is still followed, to say more."""
    if fetcher is None or not (sts_txt.ok and len(select_sts_txt(sts_txt.records)) == 1):
        return None
    return await _timed("mta_sts_policy", fetcher.fetch_policy(domain), timings)


async def _authorizations(
    domain: str, tlsrpt: Answer[str], resolver: Resolver, tlsmon_hosts: tuple[str, ...]
) -> tuple[AuthorizationLookup, ...]:
    """Exact and wildcard TXT per external rua host of the record senders would use, and per
    TLSMon host outside the domain. The wildcard is asked explicitly because DNS synthesis is
    invisible in the exact answer."""
    record = check_tlsrpt_txt(tlsrpt.records).record if tlsrpt.ok else None
    hosts = external_hosts(domain, record.rua if record else (), tlsmon_hosts)

    async def one(host: str) -> AuthorizationLookup:
        exact, wildcard = await asyncio.gather(
            resolver.txt(authorization_name(domain, host)), resolver.txt(wildcard_name(host))
        )
        return AuthorizationLookup(host, exact, wildcard)

    return tuple(await asyncio.gather(*(one(host) for host in hosts)))


async def check(
    domain: str,
    *,
    resolver: Resolver,
    fetcher: PolicyFetcher | None = None,
    tlsmon_hosts: tuple[str, ...] = (),
    suggested_rua: tuple[str, ...] = (),
    tlsmon_side: bool = True,
) -> CheckResult:
    """Check one (already normalized, A-label) domain name. ``suggested_rua`` fills fixes
    when the domain publishes no usable destination (see ``Observations.suggested_rua``).
    ``tlsmon_side``: also look up the operator's authorization for each of TLSMon's hosts
    (``CheckResult.tlsmon_authorizations``); scheduled rescans skip it (``scan_domains``)."""
    observations = await gather(
        domain,
        resolver=resolver,
        fetcher=fetcher,
        tlsmon_hosts=tlsmon_hosts,
        tlsmon_side=tlsmon_side,
    )
    return evaluate(dataclasses.replace(observations, suggested_rua=suggested_rua))


def check_sync(
    domain: str,
    *,
    resolver: Resolver,
    fetcher: PolicyFetcher | None = None,
    tlsmon_hosts: tuple[str, ...] = (),
) -> CheckResult:
    """``check`` for synchronous callers (the CLI); not for use inside a running event loop."""
    return asyncio.run(check(domain, resolver=resolver, fetcher=fetcher, tlsmon_hosts=tlsmon_hosts))
