"""The DNS seam of the scanner: one small async interface, one dnspython implementation.

Outcomes are values (``scans.observations.Answer``), never exceptions, because "could not
tell" (SERVFAIL, timeout) must never look like "missing".

``DnsPythonResolver`` expects a recursive resolver (or, in tests, an authoritative server for
every name asked). dnspython follows a CNAME chain only as far as the server's answer goes.
TXT character-strings are decoded as UTF-8 with ``errors="replace"``: the records we parse are
US-ASCII, and a stray byte must show up as U+FFFD in the report rather than crash the scan.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Any, Protocol

import dns.asyncresolver
import dns.exception
import dns.message
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

from scans.observations import Answer, MxRecord, Outcome

MAX_IN_FLIGHT = 500  # open DNS queries (= UDP sockets) per resolver and event loop
_Parser = Callable[[Any], list[Any]]  # dnspython RRset -> our record values


class Resolver(Protocol):
    async def txt(self, name: str) -> Answer[str]:
        """TXT strings at ``name``, each record's character-strings joined without spaces."""

    async def mx(self, name: str) -> Answer[MxRecord]: ...

    async def addresses(self, name: str) -> Answer[str]:
        """A and AAAA addresses as text; OK when either type has data."""

    def describe(self) -> str:
        """The servers asked, for people: ``192.0.2.1:53``."""


def _text(name: dns.name.Name) -> str:
    """Lower case, no trailing dot; the root name becomes "" (the null MX target)."""
    return name.to_text(omit_final_dot=True).lower() if name != dns.name.root else ""


def _norm(name: str) -> str:
    return name.strip().rstrip(".").lower()


def _chain(chaining: Any) -> tuple[tuple[str, ...], int | None]:
    """CNAME targets followed (from a ``ChainingResult``) and the negative-caching TTL."""
    if chaining is None:
        return (), None
    cnames = tuple(_text(rrset[0].target) for rrset in chaining.cnames)
    return cnames, chaining.minimum_ttl if chaining.answer is None else None


def _response_chain(response: dns.message.Message | None) -> tuple[tuple[str, ...], int | None]:
    """``_chain`` for an exception's response (NXDOMAIN), which dnspython did not chain."""
    try:
        return _chain(response.resolve_chaining()) if response is not None else ((), None)
    except (dns.exception.DNSException, AttributeError):
        return (), None


def _nameserver_error(exc: dns.resolver.NoNameservers) -> str:
    """The rcode (SERVFAIL, REFUSED, ...) or I/O error each nameserver gave, de-duplicated."""
    seen: list[str] = []
    for error in exc.kwargs.get("errors") or []:
        text = str(error[3]) or type(error[3]).__name__
        if text not in seen:
            seen.append(text)
    return ", ".join(seen) or "SERVFAIL"


def attempt_timeouts(timeout: float, retries: int) -> tuple[float, ...]:
    """How long each of the ``retries + 1`` attempts of one lookup waits: doubling each time
    and adding up to ``timeout``, the budget of the whole lookup.

    A real network loses a packet now and then (1% is common); the first attempt is short, so a
    lost query or answer costs a fraction of the budget and the retry still has time, while a
    slow server gets most of the budget on the last attempt. With the defaults (5 s, 3 retries):
    0.33, 0.67, 1.33 and 2.67 s. A lookup counts as ``error`` only when every attempt failed.
    """
    weights = [2**attempt for attempt in range(retries + 1)]
    return tuple(timeout * weight / sum(weights) for weight in weights)


class DnsPythonResolver:
    """``Resolver`` on dnspython's asyncio resolver, with our own retry loop.

    One attempt is one query (dnspython's ``lifetime`` is that attempt's timeout, see
    ``attempt_timeouts``); an attempt that times out or gets SERVFAIL is repeated, up to
    ``retries`` times, within ``timeout`` seconds in all. REFUSED and the like are not
    retried: the answer would not change.
    ``queries`` counts the DNS queries sent (attempts; A+AAAA count two), for the benchmark.
    At most ``max_in_flight`` queries are open at once: dnspython opens one UDP socket per
    query, and a large scan concurrency must not run into the open-files limit (often 1024).
    """

    def __init__(
        self,
        inner: dns.asyncresolver.Resolver,
        *,
        timeout: float,
        retries: int,
        max_in_flight: int = MAX_IN_FLIGHT,
    ):
        self.inner = inner
        self.timeout = timeout
        self.retries = retries
        self.attempts = attempt_timeouts(timeout, retries)
        self.max_in_flight = max_in_flight
        self.queries = 0
        # One gate per event loop: an asyncio.Semaphore is bound to the loop that first waits.
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        self._gates = weakref.WeakKeyDictionary()

    def describe(self) -> str:
        """The servers asked, ``host:port`` (``[v6]:port``), as a CLI names them."""
        servers = []
        for server in self.inner.nameservers:
            if isinstance(server, str):  # from resolv.conf: a plain address on the default port
                host, port = server, self.inner.port
            else:
                host, port = server.address, server.port
            servers.append(f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
        return ", ".join(servers) or "(no nameserver configured)"

    def no_answer(self) -> str:
        """The error of a lookup that timed out: it names the resolver, not the domain's servers."""
        return f"no answer from {self.describe()} within {self.timeout:g} s"

    def _gate(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(self.max_in_flight)
        return gate

    async def txt(self, name: str) -> Answer[str]:
        return await self._lookup(name, dns.rdatatype.TXT, _txt_records)

    async def mx(self, name: str) -> Answer[MxRecord]:
        return await self._lookup(name, dns.rdatatype.MX, _mx_records)

    async def addresses(self, name: str) -> Answer[str]:
        """A and AAAA at once; an error in either wins unless the other has data."""
        a, aaaa = await asyncio.gather(
            self._lookup(name, dns.rdatatype.A, _address_records),
            self._lookup(name, dns.rdatatype.AAAA, _address_records),
        )
        if a.ok or aaaa.ok:
            ttls = [x.ttl for x in (a, aaaa) if x.ok and x.ttl is not None]
            return Answer(
                name=a.name,
                outcome=Outcome.OK,
                records=a.records + aaaa.records,
                cnames=a.cnames or aaaa.cnames,
                ttl=min(ttls) if ttls else None,
            )
        for outcome in (Outcome.ERROR, Outcome.NXDOMAIN):
            for answer in (a, aaaa):
                if answer.outcome is outcome:
                    return answer
        return a

    async def _lookup(self, name: str, rdtype: dns.rdatatype.RdataType, parse: _Parser) -> Answer:
        qname = _norm(name)
        last = Answer(name=qname, outcome=Outcome.ERROR, error="no attempt")
        for attempt_timeout in self.attempts:
            last = await self._attempt(qname, rdtype, parse, attempt_timeout)
            if last.outcome is not Outcome.ERROR or not self._retryable(last.error):
                return last
        return last

    def _retryable(self, error: str) -> bool:
        return error == self.no_answer() or "SERVFAIL" in error

    async def _attempt(
        self, qname: str, rdtype: dns.rdatatype.RdataType, parse: _Parser, timeout: float
    ) -> Answer:
        """One query, every dnspython outcome mapped to an ``Answer``."""
        self.queries += 1
        try:
            target = dns.name.from_text(qname)
            async with self._gate():
                result = await self.inner.resolve(
                    target, rdtype, raise_on_no_answer=False, lifetime=timeout, search=False
                )
        except dns.resolver.NXDOMAIN as exc:
            cnames, ttl = _response_chain(exc.response(exc.qnames()[0]) if exc.qnames() else None)
            return Answer(name=qname, outcome=Outcome.NXDOMAIN, cnames=cnames, ttl=ttl)
        except dns.resolver.NoNameservers as exc:
            return Answer(name=qname, outcome=Outcome.ERROR, error=_nameserver_error(exc))
        except dns.exception.Timeout:
            return Answer(name=qname, outcome=Outcome.ERROR, error=self.no_answer())
        except (dns.exception.DNSException, ValueError, OSError) as exc:
            return Answer(name=qname, outcome=Outcome.ERROR, error=f"{type(exc).__name__}: {exc}")
        cnames, negative_ttl = _chain(result.chaining_result)
        if result.rrset is None:
            return Answer(name=qname, outcome=Outcome.NODATA, cnames=cnames, ttl=negative_ttl)
        return Answer(
            name=qname,
            outcome=Outcome.OK,
            records=tuple(parse(result.rrset)),
            cnames=cnames,
            ttl=result.rrset.ttl,
        )


def _txt_records(rrset: Any) -> list[str]:
    return [b"".join(rdata.strings).decode("utf-8", errors="replace") for rdata in rrset]


def _mx_records(rrset: Any) -> list[MxRecord]:
    records = [MxRecord(rdata.preference, _text(rdata.exchange)) for rdata in rrset]
    return sorted(records, key=lambda mx: (mx.preference, mx.exchange))


def _address_records(rrset: Any) -> list[str]:
    return sorted(rdata.address for rdata in rrset)


def build_resolver(
    nameservers: list[tuple[str, int]],
    *,
    timeout: float,
    retries: int,
    max_in_flight: int = MAX_IN_FLIGHT,
) -> DnsPythonResolver:
    """A resolver asking ``nameservers`` (host, port); the system's resolv.conf when empty.

    ``configure=False`` when nameservers are given, so tests never read the host's resolv.conf.
    No cache: a scan must see the zone as it is now.
    """
    if nameservers:
        inner = dns.asyncresolver.Resolver(configure=False)
        inner.nameservers = [
            dns.nameserver.Do53Nameserver(host, port) for host, port in nameservers
        ]
    else:
        inner = dns.asyncresolver.Resolver()
    inner.timeout = timeout
    inner.lifetime = timeout
    inner.cache = None
    inner.retry_servfail = False
    inner.use_edns(0, 0, 1232)
    return DnsPythonResolver(inner, timeout=timeout, retries=retries, max_in_flight=max_in_flight)


def get_resolver() -> DnsPythonResolver:
    """The resolver built from settings (TLSMON_DNS_NAMESERVERS, _TIMEOUT, _RETRIES)."""
    from django.conf import settings

    return build_resolver(
        list(settings.TLSMON_DNS_NAMESERVERS),
        timeout=settings.TLSMON_DNS_TIMEOUT,
        retries=settings.TLSMON_DNS_RETRIES,
    )
