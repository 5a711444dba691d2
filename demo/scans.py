"""Demo scan results: what the checker would see for each demo domain, without any network.

The observations are hand-written and then judged by the real rules (``scans.evaluate``), so
the demo shows genuine findings and fixes: a passing domain, a missing record, a broken one,
an unauthorized external destination, MTA-STS in testing, a null MX and a DNS failure.
"""

from __future__ import annotations

from collections.abc import Callable

from scans import observations as seen
from scans.evaluate import evaluate
from scans.results import CheckResult


def _ok(name: str, *records) -> seen.Answer:
    return seen.Answer(name=name, outcome=seen.Outcome.OK, records=tuple(records))


def _observe(
    domain: str,
    report_domain: str,
    *,
    tlsrpt: tuple[str, ...] | None,
    mode: str | None = "enforce",
    mx: seen.Answer | None = None,
    authorized: bool | None = None,
) -> seen.Observations:
    mx = mx or _ok(domain, seen.MxRecord(10, f"mx1.{domain}"), seen.MxRecord(20, f"mx2.{domain}"))
    smtp_tls = f"_smtp._tls.{domain}"
    tlsrpt_answer = (
        _ok(smtp_tls, *tlsrpt) if tlsrpt else seen.Answer(smtp_tls, seen.Outcome.NXDOMAIN)
    )
    sts_name, sts_txt, policy = f"_mta-sts.{domain}", None, None
    if mode:
        sts_txt = _ok(sts_name, "v=STSv1; id=20261101")
        body = f"version: STSv1\nmode: {mode}\nmx: *.{domain}\nmax_age: 1209600\n"
        url = f"https://mta-sts.{domain}/.well-known/mta-sts.txt"
        policy = seen.PolicyFetch(url=url, status=200, content_type="text/plain", body=body)
    else:
        sts_txt = seen.Answer(sts_name, seen.Outcome.NXDOMAIN)
    lookups = ()
    if authorized is not None:
        name = f"{domain}._report._tls.{report_domain}"
        found = _ok(name, "v=TLSRPTv1") if authorized else seen.Answer(name, seen.Outcome.NXDOMAIN)
        wildcard = seen.Answer(f"*._report._tls.{report_domain}", seen.Outcome.NXDOMAIN)
        lookups = (seen.AuthorizationLookup(report_domain, found, wildcard),)
    return seen.Observations(
        domain=domain,
        mx=mx,
        tlsrpt=tlsrpt_answer,
        mta_sts_txt=sts_txt,
        mta_sts_policy=policy,
        authorizations=lookups,
        tlsmon_hosts=(report_domain,),
    )


def _record(domain: str) -> str:
    return f"v=TLSRPTv1; rua=mailto:tlsrpt@{domain}"


# One scenario per demo domain, in the order of demo.data.DEMO_CLIENTS.
SCENARIOS: list[Callable[[str, str, str], seen.Observations]] = [
    lambda d, r, t: _observe(d, r, tlsrpt=(_record(d),)),
    lambda d, r, t: _observe(d, r, tlsrpt=(f"v=TLSRPTv1; rua = mailto:tlsrpt@{d}",)),
    lambda d, r, t: _observe(d, r, tlsrpt=None, mode=None),
    lambda d, r, t: _observe(d, r, tlsrpt=(f"v=TLSRPTv1; rua=mailto:{t}@{r}",), authorized=False),
    lambda d, r, t: _observe(d, r, tlsrpt=None, mode=None, mx=_ok(d, seen.MxRecord(0, ""))),
    lambda d, r, t: _observe(d, r, tlsrpt=(_record(d),), mode="testing"),
    lambda d, r, t: _observe(d, r, tlsrpt=(f"v=TLSRPTv1; rua=mailto:{t}@{r}",), authorized=True),
    lambda d, r, t: _observe(d, r, tlsrpt=(_record(d), f"v=TLSRPTv1; rua=mailto:ops@{d}")),
    lambda d, r, t: _observe(
        d, r, tlsrpt=None, mx=seen.Answer(d, seen.Outcome.ERROR, error="SERVFAIL"), mode=None
    ),
    lambda d, r, t: _observe(d, r, tlsrpt=(f"v=TLSRPTv1; rua=mailto:tlsrpt@{d},http://{d}/r",)),
    lambda d, r, t: _observe(d, r, tlsrpt=("v=TLSRPTv1;",), mode="testing"),
    lambda d, r, t: _observe(d, r, tlsrpt=None),
]


def demo_check(index: int, domain: str, *, report_domain: str, token: str) -> CheckResult:
    scenario = SCENARIOS[index % len(SCENARIOS)]
    return evaluate(scenario(domain, report_domain, token))
