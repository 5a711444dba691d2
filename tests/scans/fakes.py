"""An honest in-memory ``Resolver`` and ``PolicyFetcher`` for orchestration tests.

A dict of ``(name, type) -> Answer``; a name not in it is NXDOMAIN, as on a real server. There
is no wildcard synthesis: a test that wants it stores the same answer at both names. Real-server
tests (Knot and a loopback HTTPS server) live in test_dns_live.py and test_https_live.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scans.observations import Answer, MxRecord, Outcome, PolicyFetch


def ok(name: str, *records, cnames: tuple[str, ...] = ()) -> Answer:
    return Answer(name, Outcome.OK, tuple(records), cnames=cnames, ttl=3600)


def nodata(name: str) -> Answer:
    return Answer(name, Outcome.NODATA)


def nxdomain(name: str) -> Answer:
    return Answer(name, Outcome.NXDOMAIN)


def servfail(name: str) -> Answer:
    return Answer(name, Outcome.ERROR, error="SERVFAIL")


def mx(name: str, *hosts: tuple[int, str]) -> Answer[MxRecord]:
    return ok(name, *(MxRecord(pref, exchange) for pref, exchange in hosts))


@dataclass
class FakeResolver:
    """``answers[(name, "MX" | "TXT" | "ADDR")]``; ``asked`` records every lookup in order."""

    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)
    asked: list[tuple[str, str]] = field(default_factory=list)

    def set(self, rdtype: str, answer: Answer) -> FakeResolver:
        self.answers[(answer.name, rdtype)] = answer
        return self

    def describe(self) -> str:
        return "fake resolver"

    def _answer(self, name: str, rdtype: str) -> Answer:
        self.asked.append((name, rdtype))
        return self.answers.get((name, rdtype), nxdomain(name))

    async def txt(self, name: str) -> Answer[str]:
        return self._answer(name, "TXT")

    async def mx(self, name: str) -> Answer[MxRecord]:
        return self._answer(name, "MX")

    async def addresses(self, name: str) -> Answer[str]:
        return self._answer(name, "ADDR")


@dataclass
class FakeFetcher:
    """``policies[domain]``; a domain not in it gets a connection error, like a dead host."""

    policies: dict[str, PolicyFetch] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)

    async def fetch_policy(self, domain: str) -> PolicyFetch:
        self.fetched.append(domain)
        url = f"https://mta-sts.{domain}/.well-known/mta-sts.txt"
        return self.policies.get(domain, PolicyFetch(url, error="connection refused"))


def policy(domain: str, body: str, content_type: str = "text/plain", status: int = 200):
    url = f"https://mta-sts.{domain}/.well-known/mta-sts.txt"
    return PolicyFetch(url, status=status, content_type=content_type, body=body)


def healthy_resolver(domain: str = "example.com") -> FakeResolver:
    """A domain with two MX hosts, a TLS-RPT record and an enforce MTA-STS TXT record."""
    return (
        FakeResolver()
        .set("MX", mx(domain, (10, f"mx1.{domain}"), (20, f"mx2.{domain}")))
        .set("TXT", ok(f"_smtp._tls.{domain}", f"v=TLSRPTv1; rua=mailto:tlsrpt@{domain}"))
        .set("TXT", ok(f"_mta-sts.{domain}", "v=STSv1; id=20260101"))
    )


ENFORCE_POLICY = "version: STSv1\nmode: enforce\nmx: *.example.com\nmax_age: 604800\n"
