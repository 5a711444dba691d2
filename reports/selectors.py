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


@dataclass(frozen=True)
class ReportCopy:
    """One delivery that carried a copy of a report: how it came and whether it counts."""

    submission_id: int | None  # None once the delivery row is gone
    channel: str | None
    provenance: str  # "dkim", "https", "unsigned"
    provenance_label: str
    received_at: object
    counted: bool  # at least one of its policy copies is the counted one
    stands_for_report: bool  # the report's header and raw JSON come from this delivery
    policies: int  # policy copies it carried
    counted_policies: int
    raw_available: bool  # its bytes are still kept (retention may have purged them)


def report_copies(report: Report) -> list[ReportCopy]:
    """Every delivery of ``report``'s policies, for the report page: the one that stands for
    the report first, then counted ones, then newest. One query; ``report`` is already scoped
    to the viewer's tenant (the copies are its own rows). ``raw_available`` copies can be
    downloaded with ``reports.intake.original_report_json(report, submission=...)``."""
    rows = (
        ReportPolicy.objects.filter(report=report)
        .select_related("submission")
        .only(
            *("counted", "provenance", "received_at", "submission_id"),
            *("submission__channel", "submission__purged_at"),
        )
    )
    deliveries: dict[int | None, list[ReportPolicy]] = {}
    for p in rows:
        deliveries.setdefault(p.submission_id, []).append(p)
    copies = []
    for submission_id, policies in deliveries.items():
        first, submission = policies[0], policies[0].submission
        rank = Provenance(max(p.provenance for p in policies))
        counted = sum(p.counted for p in policies)
        copies.append(
            ReportCopy(
                submission_id=submission_id,
                channel=submission.channel if submission else None,
                provenance=rank.name.lower(),
                provenance_label=rank.label,
                received_at=first.received_at,
                counted=counted > 0,
                stands_for_report=submission_id is not None
                and submission_id == report.submission_id,
                policies=len(policies),
                counted_policies=counted,
                raw_available=submission is not None and submission.purged_at is None,
            )
        )
    copies.sort(key=lambda c: c.received_at.timestamp() if c.received_at else 0, reverse=True)
    copies.sort(key=lambda c: (not c.stands_for_report, not c.counted))
    return copies
