"""The API benchmark's portfolio, decided up front and deterministically from a seed (pure):
20 client organizations of uneven size and one profile per domain — scan state, mail hosts,
traffic, reporters, failure behaviour and external report destinations, mutually consistent
(a domain without a TLS-RPT record receives no reports; an unauthorized external rua is the
``external_unauthorized`` gap; a broken MTA-STS policy shows as ``sts-policy-*`` failures).

``bench.api_reports`` turns the profiles into reports; ``bench.api_seed`` writes both.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

DAYS = 90
CLIENT_NAMES = (
    "Acme Logistics", "Northwind Health", "Contoso Retail", "Fabrikam Legal", "Globex Energy",
    "Initech Finance", "Umbrella Pharma", "Stark Manufacturing", "Wayne Media", "Tyrell Labs",
    "Cyberdyne Systems", "Soylent Foods", "Hooli Cloud", "Vandelay Imports", "Wonka Sweets",
    "Pied Piper", "Massive Dynamic", "Gringotts Bank", "Oceanic Airlines", "Aperture Science",
)  # fmt: skip
TAGS = ("eu", "us", "vip", "legacy")
WORDS = (
    "blue", "north", "river", "stone", "bright", "silver", "oak", "delta", "nova", "terra",
    "swift", "alpine", "coastal", "urban", "prime", "summit", "harbor", "maple", "falcon",
    "cedar", "lumen", "vector", "orbit", "pixel", "atlas", "ember", "quartz", "willow",
)  # fmt: skip
TLDS = ("com", "com", "com", "net", "org", "de", "fr", "nl", "co.uk", "io", "eu", "ch")
IDN_WORDS = ("bücher", "café", "grün", "straße", "möbel", "señal")
TLSMON_HOST = "reports.tlsmon.example"
VENDOR_HOSTS = ("tlsrpt.vendor.example", "rua.mailhardener.example", "reports.uriports.example")
HOSTING_MX = ("mx1.hostingco.example", "mx2.hostingco.example")
GOOGLE_MX = ("aspmx.l.google.com", "alt1.aspmx.l.google.com", "alt2.aspmx.l.google.com")


@dataclass(frozen=True)
class Reporter:
    """A sending organization, the share of a domain's inbound mail it carries and its habits."""

    name: str
    contact: str
    share: float
    prevalence: float  # fraction of domains that get mail from it at all
    hour: int  # when its reports for day D arrive on D+1 (UTC hour, plus up to 3 h)
    ip_prefix: str  # its sending MTAs: <prefix>.<n>
    both_types: bool = False  # Microsoft: the same sessions under an sts AND a tlsa policy


REPORTERS = (
    Reporter("Google Inc.", "smtp-tls-reporting@google.com", 0.50, 1.0, 2, "209.85.220"),
    Reporter(
        "Microsoft Corporation", "tlsrpt-noreply@microsoft.com", 0.30, 0.85, 6, "40.107.22", True
    ),
    Reporter("Yahoo Inc.", "smtp-tls-reporting@yahooinc.com", 0.10, 0.40, 4, "67.195.204"),
    Reporter("Comcast", "tlsrpt@comcast.net", 0.06, 0.15, 9, "96.114.154"),
    Reporter("Zoho Corporation", "tls-reports@zohomail.com", 0.04, 0.08, 11, "136.143.188"),
)

# (result type, failure reason code) of persistent problems at one receiving MX host.
BROKEN_CAUSES = (
    ("starttls-not-supported", ""),
    ("certificate-expired", "X509_V_ERR_CERT_HAS_EXPIRED"),
    ("certificate-host-mismatch", "X509_V_ERR_HOSTNAME_MISMATCH"),
    ("certificate-not-trusted", "X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN"),
    ("validation-failure", ""),
)
STS_CAUSES = (
    ("sts-policy-fetch-error", ""),
    ("sts-policy-invalid", ""),
    ("sts-webpki-invalid", "X509_V_ERR_CERT_HAS_EXPIRED"),
)
SPORADIC_CAUSES = (
    ("validation-failure", ""),
    ("starttls-not-supported", ""),
    ("certificate-not-trusted", "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY"),
    ("dnssec-invalid", ""),
    ("sts-policy-fetch-error", ""),
)


@dataclass(frozen=True)
class External:
    """One rua destination of a domain and its external-authorization status."""

    uri: str
    host: str
    status: str
    is_tlsmon: bool


@dataclass
class Profile:
    """Everything the seeder needs to know about one domain."""

    id: int
    organization: int  # index into the clients
    name: str
    unicode_name: str
    tags: tuple[str, ...]
    is_active: bool
    added_at: datetime
    verdict: str  # "" = never scanned
    score: int | None
    gaps: list[str]
    scanned_at: datetime | None
    mx: tuple[str, ...]
    sts_mode: str | None  # None: no MTA-STS policy
    volume: float  # inbound sessions per day
    reporters: tuple[int, ...]  # indexes into REPORTERS
    first_day: int  # report window, indexes into the 90 days; first_day > last_day: none
    last_day: int
    failure: str  # clean | sporadic | broken
    episode: tuple[int, int] = (0, -1)  # days of the broken episode (inclusive)
    causes: tuple[tuple[str, str, str], ...] = ()  # (result type, reason code, MX host)
    externals: list[External] = field(default_factory=list)


def client_sizes(total: int, clients: int) -> list[int]:
    """Uneven client sizes (Zipf-like, largest about 14x the smallest) summing to ``total``."""
    weights = [1 / (i + 1) ** 0.9 for i in range(clients)]
    sizes = [int(total * w / sum(weights)) for w in weights]
    sizes[0] += total - sum(sizes)
    return sizes


def _name(rng: random.Random, index: int) -> tuple[str, str]:
    if index % 150 == 7:  # a few IDNs
        label = f"{rng.choice(IDN_WORDS)}{index}"
        return f"{label.encode('idna').decode()}.de", f"{label}.de"
    name = f"{rng.choice(WORDS)}{rng.choice(WORDS)}{index}.{rng.choice(TLDS)}"
    return name, name


def _tags(rng: random.Random) -> tuple[str, ...]:
    region = rng.random()
    tags = ["eu"] if region < 0.45 else ["us"] if region < 0.85 else []
    if rng.random() < 0.05:
        tags.append("vip")
    if rng.random() < 0.12:
        tags.append("legacy")
    return tuple(tags)


def _mx(rng: random.Random, name: str) -> tuple[str, ...]:
    kind = rng.random()
    if kind < 0.45:
        return (f"mx1.{name}", f"mx2.{name}") if rng.random() < 0.6 else (f"mail.{name}",)
    if kind < 0.70:
        return GOOGLE_MX
    if kind < 0.90:
        return (f"{name.replace('.', '-')}.mail.protection.outlook.com",)
    return HOSTING_MX


def _scan_state(rng: random.Random) -> tuple[str, list[str]]:
    """A verdict and gaps consistent with scans.findings (critical -> fail, warning -> warn)."""
    r = rng.random()
    if r < 0.01:
        return "", []
    if r < 0.06:
        return "not_applicable", []
    if r < 0.08:
        return "error", ["dns_error"]
    if r < 0.20:
        gap = "no_record" if rng.random() < 0.65 else "broken_record"
        return "fail", [gap, "no_mta_sts"] if rng.random() < 0.7 else [gap]
    info = []
    sts = rng.random()
    if sts < 0.40:
        info.append("no_mta_sts")
    elif sts < 0.55:
        info.append("mta_sts_testing")
    if r < 0.40:
        kinds = (("broken_record", 0.4), ("mta_sts_broken", 0.25), ("dns_error", 0.3))
        warnings = [gap for gap, p in kinds if rng.random() < p] or ["broken_record"]
        if "mta_sts_broken" in warnings:
            info = [g for g in info if g == "mta_sts_testing"]
        return "warn", warnings + info
    return "pass", info


def _score(rng: random.Random, verdict: str, gaps: list[str]) -> int | None:
    if verdict in ("", "not_applicable", "error"):
        return None  # unscanned, and the verdicts that carry no score
    if verdict == "pass":
        lost = 5 * ("no_mta_sts" in gaps) + 2 * ("mta_sts_testing" in gaps)
        return 100 - lost - 2 * ("external_unauthorized" in gaps)
    if verdict == "fail":
        return 0 if "no_record" in gaps else rng.randint(10, 40)
    return rng.randint(45, 89)


def _externals(rng: random.Random, name: str, verdict: str) -> list[External]:
    """About 15% of the domains with a record send reports to a destination outside."""
    if verdict not in ("pass", "warn", "error") or rng.random() >= 0.15:
        return []
    if rng.random() < 0.5:
        status = "wildcard_authorized" if rng.random() < 0.8 else "authorized"
        token = hashlib.sha256(name.encode()).hexdigest()[:32]
        rows = [External(f"mailto:{token}@{TLSMON_HOST}", TLSMON_HOST, status, True)]
    else:
        host = rng.choice(VENDOR_HOSTS)
        status = rng.choices(
            ("authorized", "wildcard_authorized", "missing", "lookup_error"), (50, 20, 20, 10)
        )[0]
        rows = [External(f"https://{host}/v1/tlsrpt/{name}", host, status, False)]
    if rng.random() < 0.5:
        rows.append(External(f"mailto:tlsrpt@{name}", name, "not_needed", False))
    return rows


def _window(rng: random.Random, verdict: str, gaps: list[str], added_day: int) -> tuple[int, int]:
    """The days with reports: none without a record or MX; some domains went silent."""
    last = DAYS - 1
    if verdict in ("", "not_applicable") or "no_record" in gaps:
        return 1, 0
    if "broken_record" in gaps and verdict == "fail":
        last -= rng.randint(3, 30)  # the record broke: reports stopped
    elif rng.random() < 0.04:
        last -= rng.randint(4, 60)  # reports stopped for another reason
    return added_day, last


def _failures(rng: random.Random, p: Profile) -> None:
    """Decide how the domain's sessions fail: rarely, now and then, or a persistent problem."""
    r = rng.random()
    sts_broken = "mta_sts_broken" in p.gaps
    p.failure = "broken" if sts_broken or r < 0.2 else "sporadic" if r < 0.55 else "clean"
    if p.failure != "broken":
        return
    if sts_broken:
        start, end = rng.randint(p.first_day, max(p.first_day, DAYS - 10)), DAYS - 1
        result, reason = rng.choice(STS_CAUSES)
        p.causes = tuple((result, reason, mx) for mx in p.mx)
    else:
        length = rng.randint(5, DAYS)
        start = rng.randint(0, DAYS - 1)
        end = min(DAYS - 1, start + length)
        hosts = p.mx[1:] if len(p.mx) > 1 and rng.random() < 0.6 else p.mx[:1]
        causes = rng.sample(BROKEN_CAUSES, 2 if rng.random() < 0.3 else 1)
        p.causes = tuple((result, reason, mx) for result, reason in causes for mx in hosts)
    p.episode = (start, end)


def domain_profiles(*, count: int, clients: int, seed: int, now: datetime) -> list[Profile]:
    """``count`` domain profiles spread over ``clients`` organizations (ids from 1)."""
    rng = random.Random(seed)
    window_start = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=DAYS)
    owners = [org for org, size in enumerate(client_sizes(count, clients)) for _ in range(size)]
    profiles = []
    for index, organization in enumerate(owners):
        name, unicode_name = _name(rng, index)
        verdict, gaps = _scan_state(rng)
        added_day = 0 if rng.random() < 0.9 else rng.randint(1, DAYS - 1)
        added_at = window_start - timedelta(days=rng.randint(1, 400))
        if added_day or verdict == "":
            added_at = window_start + timedelta(days=added_day, hours=rng.uniform(0, 20))
        if verdict == "":
            added_at = now - timedelta(hours=rng.uniform(0.1, 2))
        externals = _externals(rng, name, verdict)
        if any(e.status == "missing" for e in externals):
            gaps.append("external_unauthorized")
        first_day, last_day = _window(rng, verdict, gaps, added_day)
        reporters = tuple(i for i, r in enumerate(REPORTERS) if rng.random() < r.prevalence)
        sts_broken = "mta_sts_broken" in gaps
        profile = Profile(
            id=index + 1,
            organization=organization,
            name=name,
            unicode_name=unicode_name,
            tags=_tags(rng),
            is_active=rng.random() > 0.02,
            added_at=added_at,
            verdict=verdict,
            score=_score(rng, verdict, gaps),
            gaps=gaps,
            scanned_at=None if verdict == "" else now - timedelta(hours=rng.uniform(0.05, 24)),
            mx=_mx(rng, name),
            sts_mode=None
            if "no_mta_sts" in gaps or verdict in ("", "not_applicable")
            else "testing"
            if "mta_sts_testing" in gaps and not sts_broken
            else "enforce",
            volume=math.exp(rng.gauss(math.log(15), 1.7)),
            reporters=reporters or (0,),
            first_day=first_day,
            last_day=last_day,
            failure="clean",
            externals=externals,
        )
        _failures(rng, profile)
        profiles.append(profile)
    return profiles
