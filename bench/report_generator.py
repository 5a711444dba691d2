"""Realistic TLS-RPT reports for the benchmarks, generated deterministically from a seed.

Google-like (one ``sts`` policy, ``mx-host`` array, ``YYYY-MM-DDT00:00:00Z_domain`` ids) and
Microsoft-like (``sts`` + ``tlsa`` for the same sessions, no ``mx-host``) shapes, 1-3 policies,
some failure details; every other report gzipped, as senders do.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

_RESULT_TYPES = (
    "certificate-expired",
    "certificate-host-mismatch",
    "certificate-not-trusted",
    "starttls-not-supported",
    "validation-failure",
    "sts-policy-fetch-error",
)


def iter_documents(
    count: int = 20_000, *, seed: int = 8460, id_suffix: str = ""
) -> Iterator[dict[str, Any]]:
    """``count`` report documents, deterministic for a seed, one at a time.

    Report-ids are unique within a run (the rare Google-style (day, domain) collision gets the
    index appended). ``id_suffix`` is appended to every report-id: the same reports (same policy
    domains) under new ids, i.e. new reports for the database.
    """
    rng = random.Random(seed)
    seen: set[str] = set()
    for index in range(count):
        shape = _google_like if rng.random() < 0.6 else _microsoft_like
        document = shape(rng, index)
        if document["report-id"] in seen:  # same reporter, domain and day: make it another one
            document["report-id"] += f"-{index}"
        seen.add(document["report-id"])
        document["report-id"] += id_suffix
        yield document


def encode(document: dict[str, Any], index: int) -> bytes:
    """The file body of a report: compact JSON, gzipped for every second one (odd ``index``)."""
    raw = json.dumps(document, separators=(",", ":")).encode()
    return gzip.compress(raw, mtime=0) if index % 2 else raw


def iter_reports(count: int = 20_000, *, seed: int = 8460, id_suffix: str = "") -> Iterator[bytes]:
    """Report bodies, streamed: never more than one document in memory."""
    for index, document in enumerate(iter_documents(count, seed=seed, id_suffix=id_suffix)):
        yield encode(document, index)


def generate_reports(count: int = 20_000, *, seed: int = 8460) -> list[bytes]:
    """``count`` report bodies, deterministic for a seed; every second one gzipped."""
    return list(iter_reports(count, seed=seed))


def policy_domains(count: int, *, seed: int = 8460) -> set[str]:
    """Every policy-domain the first ``count`` generated reports name (the tenant's domains)."""
    return {
        entry["policy"]["policy-domain"]
        for document in iter_documents(count, seed=seed)
        for entry in document["policies"]
    }


def _domain(rng: random.Random, index: int) -> str:
    return f"client{index % 997}-{rng.randrange(100)}.example"


def _day(rng: random.Random) -> date:
    return date(2025, 1, 1) + timedelta(days=rng.randrange(365))


def _details(rng: random.Random, domain: str, failed: int) -> list[dict[str, Any]]:
    if not failed or rng.random() < 0.3:
        return []
    count = rng.choice((1, 1, 2, 3, 5, 20))
    return [
        {
            "result-type": rng.choice(_RESULT_TYPES),
            "sending-mta-ip": f"209.85.{rng.randrange(256)}.{rng.randrange(256)}",
            "receiving-mx-hostname": f"mx{n}.{domain}",
            "receiving-ip": f"198.51.100.{rng.randrange(256)}",
            "failed-session-count": max(1, failed // count),
        }
        for n in range(count)
    ]


def _google_like(rng: random.Random, index: int) -> dict[str, Any]:
    domain, day = _domain(rng, index), _day(rng)
    failed = rng.choice((0, 0, 0, 1, 3, 40))
    return {
        "organization-name": "Google Inc.",
        "date-range": {
            "start-datetime": f"{day}T00:00:00Z",
            "end-datetime": f"{day}T23:59:59Z",
        },
        "contact-info": "smtp-tls-reporting@google.com",
        "report-id": f"{day}T00:00:00Z_{domain}",
        "policies": [
            {
                "policy": {
                    "policy-type": "sts",
                    "policy-string": [
                        "version: STSv1",
                        f"mode: {rng.choice(('enforce', 'testing'))}",
                        f"mx: mx.{domain}",
                        "max_age: 604800",
                    ],
                    "policy-domain": domain,
                    "mx-host": [f"mx.{domain}"],
                },
                "summary": {
                    "total-successful-session-count": rng.randrange(1, 5000),
                    "total-failure-session-count": failed,
                },
                **({"failure-details": d} if (d := _details(rng, domain, failed)) else {}),
            }
        ],
    }


def _microsoft_like(rng: random.Random, index: int) -> dict[str, Any]:
    domain, day = _domain(rng, index), _day(rng)
    policies = [_microsoft_policy(rng, domain, kind) for kind in ("sts", "tlsa", "no-policy-found")]
    return {
        "organization-name": "Microsoft Corporation",
        "date-range": {
            "start-datetime": f"{day}T00:00:00Z",
            "end-datetime": f"{day}T23:59:59Z",
        },
        "contact-info": "tlsrpt-noreply@microsoft.com",
        "report-id": f"{rng.randrange(10**17, 10**18)}+{domain}",
        "policies": policies[: rng.randint(1, 3)],
    }


def _microsoft_policy(rng: random.Random, domain: str, kind: str) -> dict[str, Any]:
    strings: dict[str, list[str]] = {
        "sts": ["version: STSv1", "mode: enforce", f"mx: *.{domain}", "max_age: 2592000"],
        "tlsa": [json.dumps([f"3 1 1 {rng.getrandbits(256):064X}" for _ in range(2)])],
        "no-policy-found": [],
    }
    failed = rng.choice((0, 0, 2, 7))
    policy: dict[str, Any] = {"policy-type": kind, "policy-domain": domain}
    if strings[kind]:
        policy["policy-string"] = strings[kind]
    entry: dict[str, Any] = {
        "policy": policy,
        "summary": {
            "total-successful-session-count": rng.randrange(1, 800),
            "total-failure-session-count": failed,
        },
    }
    if failed:
        entry["failure-details"] = [
            {"result-type": "sts-policy-fetch-error", "failed-session-count": failed}
        ]
    return entry
