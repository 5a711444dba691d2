"""Read paths over the daily roll-ups (always for one tenant scope)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Sum

from accounts.scoping import Scope, scope_to_org
from reports.models import DailyFailure, DomainDailyTotal, Report, ReportPolicy
from reports.provenance import Provenance


@dataclass(frozen=True)
class DailySessions:
    domain_id: int
    day: date
    successful: int
    failed: int


def domain_daily_sessions(
    *,
    scope: Scope,
    start: date | None = None,
    end: date | None = None,
    domain_id: int | None = None,
) -> list[DailySessions]:
    """Session totals per domain and day without counting a session twice.

    Read from ``DomainDailyTotal``, which ingestion keeps with the rule: per (domain, day,
    reporter) only the policy type with the most sessions (Microsoft reports the same sessions
    under ``sts`` and ``tlsa``), reporters added up (``reports.counting``).
    """
    rows = scope_to_org(DomainDailyTotal.objects.all(), scope)
    if domain_id is not None:
        rows = rows.filter(domain_id=domain_id)
    if start is not None:
        rows = rows.filter(day__gte=start)
    if end is not None:
        rows = rows.filter(day__lte=end)
    return [
        DailySessions(domain_id=d, day=day, successful=ok, failed=failed)
        for d, day, ok, failed in rows.order_by("domain_id", "day").values_list(
            "domain_id", "day", "successful", "failed"
        )
    ]


@dataclass(frozen=True)
class FailureTotal:
    result_type: str
    receiving_mx_hostname: str
    failed: int


def domain_top_failures(
    *, scope: Scope, domain_id: int, start: date, limit: int = 10
) -> list[FailureTotal]:
    """The most frequent (result type, receiving MX) failures of one domain since ``start``.

    Summed over policy types as reported: a Microsoft sts+tlsa pair may count a failure twice,
    which is acceptable for ranking causes (totals come from ``domain_daily_sessions``).
    """
    rows = (
        scope_to_org(DailyFailure.objects.all(), scope)
        .filter(domain_id=domain_id, day__gte=start)
        .values("result_type", "receiving_mx_hostname")
        .annotate(total=Sum("failed"))
        .order_by("-total", "result_type", "receiving_mx_hostname")[:limit]
    )
    return [FailureTotal(r["result_type"], r["receiving_mx_hostname"], r["total"]) for r in rows]


@dataclass(frozen=True)
class PolicyCopy:
    """One delivered copy of a policy: what it said, how it came, whether it counts."""

    policy_id: int
    counted: bool
    provenance: str  # "dkim", "https", "unsigned"
    provenance_label: str
    received_at: object
    submission_id: int | None
    channel: str | None
    successful: int
    failed: int


@dataclass(frozen=True)
class PolicyConflict:
    """A policy key (of one report) with more than one content: every copy, counted one first."""

    policy_domain: str
    policy_type: str
    copies: tuple[PolicyCopy, ...]


def report_conflicts(*, scope: Scope, report: Report) -> list[PolicyConflict]:
    """The conflicting copies of ``report``'s policies, for the API detail, the admin and the
    report page: only keys with two or more copies, the counted copy first, then newest."""
    rows = (
        scope_to_org(ReportPolicy.objects.all(), scope)
        .filter(report=report)
        .select_related("submission")
        .only(
            *("policy_domain", "policy_type", "counted", "provenance", "received_at"),
            *("successful", "failed", "submission__channel", "submission_id"),
        )
        .order_by("policy_domain", "policy_type", "-counted", "-received_at", "-id")
    )
    groups: dict[tuple[str, str], list[PolicyCopy]] = {}
    for p in rows:
        rank = Provenance(p.provenance)
        groups.setdefault((p.policy_domain, p.policy_type), []).append(
            PolicyCopy(
                policy_id=p.pk,
                counted=p.counted,
                provenance=rank.name.lower(),
                provenance_label=rank.label,
                received_at=p.received_at,
                submission_id=p.submission_id,
                channel=p.submission.channel if p.submission else None,
                successful=p.successful,
                failed=p.failed,
            )
        )
    return [
        PolicyConflict(policy_domain=d, policy_type=t, copies=tuple(copies))
        for (d, t), copies in groups.items()
        if len(copies) > 1
    ]
