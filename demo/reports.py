"""Demo TLS-RPT reports: two weeks of daily reports from two senders for the demo domains.

Shaped like the real Google and Microsoft reports in ``../shared/samples/tlsrpt`` (RFC 8460
section 4.4 keys, ``mx-host`` arrays, failure details only on failing days). Report ids are
derived from domain, sender and day, so seeding twice stores nothing new.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta

SENDERS = (
    ("Google Inc.", "smtp-tls-reporting@google.com", "{day}T00:00:00Z_{domain}"),
    ("Microsoft Corporation", "tlsrpt-noreply@microsoft.com", "1337{seed:014d}+{domain}"),
)
FAILURES = ("certificate-expired", "starttls-not-supported", "validation-failure")


def _policy(domain: str, successes: int, failures: int, rng: random.Random) -> dict:
    policy = {
        "policy": {
            "policy-type": "sts",
            "policy-string": ["version: STSv1", "mode: enforce", f"mx: *.{domain}"],
            "policy-domain": domain,
            "mx-host": [f"*.{domain}"],
        },
        "summary": {
            "total-successful-session-count": successes,
            "total-failure-session-count": failures,
        },
    }
    if failures:
        policy["failure-details"] = [
            {
                "result-type": rng.choice(FAILURES),
                "sending-mta-ip": f"209.85.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                "receiving-mx-hostname": f"mx{rng.randint(1, 2)}.{domain}",
                "failed-session-count": failures,
            }
        ]
    return policy


def demo_reports(domain: str, *, today: date, days: int = 14) -> Iterator[tuple[bytes, str]]:
    """``(json bytes, file name)`` for each sender and day, oldest first."""
    rng = random.Random(domain)
    volume = rng.randint(20, 400)
    failing = rng.random() < 0.5
    for offset in range(days, 0, -1):
        day = today - timedelta(days=offset)
        for index, (org_name, contact, id_format) in enumerate(SENDERS):
            failures = rng.randint(1, 12) if failing and rng.random() < 0.4 else 0
            digest = hashlib.sha256(f"{domain}|{day}|{index}".encode()).hexdigest()
            seed = int(digest[:12], 16)
            report = {
                "organization-name": org_name,
                "date-range": {
                    "start-datetime": f"{day}T00:00:00Z",
                    "end-datetime": f"{day}T23:59:59Z",
                },
                "contact-info": contact,
                "report-id": id_format.format(day=day, domain=domain, seed=seed),
                "policies": [_policy(domain, volume + rng.randint(0, 40), failures, rng)],
            }
            sender = org_name.split()[0].lower()
            yield json.dumps(report).encode(), f"demo/{sender}!{domain}!{day}.json"
