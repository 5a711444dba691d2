"""Reports, policies and failure details of the API benchmark, one UTC day at a time (pure).

For each domain with reports that day, every reporter that carried at least one of its sessions
(``1 - exp(-expected sessions)``) sends one report: one policy (``sts`` with an MTA-STS policy,
else ``no-policy-found``), or for Microsoft the same sessions under that policy AND a ``tlsa``
one, failure details repeated. Failure details: one per (result type, receiving MX host,
sending IP), a handful of sending IPs per reporter and failing host. Rows are tuples in the
column order of ``REPORT_COLUMNS`` etc., ids assigned here (the tables start empty).
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bench.api_profiles import REPORTERS, SPORADIC_CAUSES, Profile

REPORT_COLUMNS = (
    "id", "organization_id", "organization_name", "report_id", "contact_info", "start", "end",
    "received_at",
)  # fmt: skip
POLICY_COLUMNS = (
    "id", "report_id", "organization_id", "domain_id", "day", "policy_type", "policy_domain",
    "routed_by", "policy_strings", "mx_hosts", "successful", "failed",
)  # fmt: skip
DETAIL_COLUMNS = (
    "id", "policy_id", "result_type", "sending_mta_ip", "receiving_mx_hostname",
    "receiving_mx_helo", "receiving_ip", "failed_session_count", "failure_reason_code",
    "additional_information",
)  # fmt: skip
RESULT_INFO = {
    "starttls-not-supported": "",
    "certificate-expired": "certificate expired",
    "certificate-host-mismatch": "certificate name does not match the MX host",
    "sts-policy-fetch-error": "policy fetch failed: connection timed out",
}
IPS_PER_REPORTER = 60


@dataclass(frozen=True)
class _Static:
    """Per-domain values computed once: policy type, JSON columns, receiving IPs."""

    policy_type: str
    policy_strings: str
    mx_hosts: str
    tlsa_strings: str
    receiving_ip: dict[str, str]


def _static(p: Profile) -> _Static:
    digest = hashlib.sha256(p.name.encode()).digest()
    if p.sts_mode:
        strings = ["version: STSv1", f"mode: {p.sts_mode}", *(f"mx: {mx}" for mx in p.mx)]
        policy_type, strings = "sts", [*strings, "max_age: 604800"]
    else:
        policy_type, strings = "no-policy-found", []
    return _Static(
        policy_type=policy_type,
        policy_strings=json.dumps(strings),
        mx_hosts=json.dumps(list(p.mx) if p.sts_mode else []),
        tlsa_strings=json.dumps([f"3 1 1 {digest.hex().upper()}"]),
        receiving_ip={
            mx: f"198.51.{digest[i] % 100 + 1}.{digest[i + 8] % 250 + 2}"
            for i, mx in enumerate(p.mx)
        },
    )


@dataclass
class DayRows:
    reports: list[tuple] = field(default_factory=list)
    policies: list[tuple] = field(default_factory=list)
    details: list[tuple] = field(default_factory=list)


class ReportGenerator:
    """Generates the rows day by day; ids continue across days. ``last_received`` maps a domain
    id to the receive time of its latest report (for ``Domain.last_report_at``)."""

    def __init__(
        self,
        profiles: list[Profile],
        organization_ids: list[int],
        *,
        first_day: date,
        now: datetime,
        seed: int,
    ) -> None:
        self.profiles, self.organization_ids = profiles, organization_ids
        self.first_day, self.now = first_day, now
        self.rng = random.Random(seed + 1)
        self.static = {p.id: _static(p) for p in profiles}
        self.ips = [
            [f"{r.ip_prefix}.{n}" for n in range(10, 10 + IPS_PER_REPORTER)] for r in REPORTERS
        ]
        self.report_id = self.policy_id = self.detail_id = 0
        self.last_received: dict[int, datetime] = {}

    def day(self, index: int) -> DayRows:
        """The rows of the reports about day ``index`` (0 = 90 days ago)."""
        day = self.first_day + timedelta(days=index)
        rows = DayRows()
        stamps = (f"{day.isoformat()}T00:00:00Z", f"{day.isoformat()}T23:59:59Z")
        for p in self.profiles:
            if p.first_day <= index <= p.last_day:
                self._domain_day(p, index, day, stamps, rows)
        return rows

    def _received(self, day: date, reporter: int) -> datetime:
        minutes = REPORTERS[reporter].hour * 60 + self.rng.randrange(180)
        at = datetime(day.year, day.month, day.day, tzinfo=self.now.tzinfo)
        return min(at + timedelta(days=1, minutes=minutes), self.now - timedelta(minutes=5))

    def _domain_day(
        self, p: Profile, index: int, day: date, stamps: tuple[str, str], rows: DayRows
    ) -> None:
        rng, static = self.rng, self.static[p.id]
        organization_id = self.organization_ids[p.organization]
        weekday = 0.6 if day.weekday() >= 5 else 1.0  # less mail at weekends
        for r in p.reporters:
            reporter = REPORTERS[r]
            expected = p.volume * reporter.share * weekday
            if rng.random() >= 1 - math.exp(-expected):
                continue
            sessions = max(1, round(expected * rng.uniform(0.7, 1.3)))
            failures = self._failures(p, index, r, sessions)
            failed = min(sessions, sum(f[3] for f in failures))
            self.report_id += 1
            received = self._received(day, r)
            if received > self.last_received.get(p.id, received - timedelta(1)):
                self.last_received[p.id] = received
            rows.reports.append(
                (
                    self.report_id,
                    organization_id,
                    reporter.name,
                    f"{day.isoformat()}_{r}_{p.name}",
                    reporter.contact,
                    *stamps,
                    received,
                )
            )
            types = [(static.policy_type, static.policy_strings, static.mx_hosts)]
            if reporter.both_types:
                types.append(("tlsa", static.tlsa_strings, "[]"))
            for policy_type, strings, mx_hosts in types:
                self.policy_id += 1
                rows.policies.append(
                    (
                        self.policy_id,
                        self.report_id,
                        organization_id,
                        p.id,
                        day,
                        policy_type,
                        p.name,
                        "policy-domain",
                        strings,
                        mx_hosts,
                        sessions - failed,
                        failed,
                    )
                )
                for result, reason, mx, count, ip in failures:
                    self.detail_id += 1
                    helo = mx if r == 2 else ""  # only some reporters send the HELO name
                    info = RESULT_INFO.get(result, "")
                    rows.details.append(
                        (
                            self.detail_id,
                            self.policy_id,
                            result,
                            ip,
                            mx,
                            helo,
                            static.receiving_ip.get(mx, ""),
                            count,
                            reason,
                            info,
                        )
                    )

    def _failures(
        self, p: Profile, index: int, reporter: int, sessions: int
    ) -> list[tuple[str, str, str, int, str]]:
        """(result type, reason code, MX host, failed sessions, sending IP) for one report."""
        rng = self.rng
        if p.failure == "broken" and p.episode[0] <= index <= p.episode[1]:
            causes, share, ips = p.causes, rng.uniform(0.1, 0.9), 4 + min(12, sessions // 2)
        elif p.failure != "clean" and rng.random() < 0.5:
            result, reason = rng.choice(SPORADIC_CAUSES)
            causes = ((result, reason, rng.choice(p.mx)),)
            share, ips = rng.uniform(0.01, 0.1), rng.randint(1, 4)
        elif rng.random() < 0.03:
            result, reason = rng.choice(SPORADIC_CAUSES[:3])
            causes, share, ips = ((result, reason, p.mx[0]),), 0.01, 1
        else:
            return []
        failed = max(1, round(sessions * share))
        pool = self.ips[reporter]
        rows = []
        for result, reason, mx in causes:
            chosen = rng.sample(pool, min(ips, failed))
            for n, ip in enumerate(chosen):
                count = failed // len(chosen) + (n < failed % len(chosen))
                rows.append((result, reason, mx, count, ip))
        return rows
