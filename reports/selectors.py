"""Read paths of the reports app for the pages and the API (always for one tenant scope):
daily figures, the report list and one report, and the quarantine."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum

from accounts.domain_names import DomainNameError, normalize_domain_name
from accounts.models import Domain
from accounts.scoping import Scope, scope_to_org
from reports.models import DailyFailure, DomainDailyTotal, QuarantinedPolicy, Report, ReportPolicy
from reports.provenance import Provenance
from reports.trends import GroupBy, Point, trend


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


# --- the report list and one report ----------------------------------------------------------


def session_totals(policies: Iterable[ReportPolicy]) -> tuple[int, int]:
    """(successful, failed) sessions of one report, counting each policy domain once.

    Microsoft reports the same sessions under an ``sts`` and a ``tlsa`` policy of one domain
    (protocol.md section 9b), so per domain the policy with the most sessions counts, and the
    domains are added up. Policies without a policy-domain count on their own.
    """
    best: dict[str, tuple[int, int]] = {}
    for index, policy in enumerate(policies):
        key = policy.policy_domain or f"#{index}"
        current = best.get(key, (0, 0))
        if policy.successful + policy.failed > sum(current) or key not in best:
            best[key] = (policy.successful, policy.failed)
    return sum(s for s, _ in best.values()), sum(f for _, f in best.values())


def _counted_policies(*, details: bool = False) -> Prefetch:
    """The counted copy of each policy (the others are conflicts), with its domain."""
    policies = ReportPolicy.objects.filter(counted=True).select_related("domain").order_by("id")
    if details:
        policies = policies.prefetch_related("failure_details")
    return Prefetch("policies", queryset=policies)


def report_list(
    *, scope: Scope, domain_id: int | None = None, reporter: str | None = None
) -> QuerySet[Report]:
    """Reports in ``scope``, newest period first, for the report list and a domain's recent
    reports: each with its counted policies prefetched (``report_rows`` reads them, no query
    per row), ``channel`` of its first delivery and ``conflicting_copies``."""
    reports = scope_to_org(Report.objects.all(), scope)
    if domain_id is not None:
        on_domain = ReportPolicy.objects.filter(report=OuterRef("pk"), domain_id=domain_id)
        reports = reports.filter(Exists(on_domain))
    if reporter:
        reports = reports.filter(organization_name=reporter)
    return (
        reports.select_related("organization")
        .annotate(
            channel=F("submission__channel"),
            conflicting_copies=Count("policies", filter=Q(policies__counted=False)),
        )
        .prefetch_related(_counted_policies())
        .order_by("-start", "-id")
    )


@dataclass(frozen=True)
class ReportRow:
    """One line of a report list: the report and its session totals."""

    report: Report
    successful: int
    failed: int
    domains: tuple[Domain, ...]


def report_rows(reports: Iterable[Report], *, domain_id: int | None = None) -> list[ReportRow]:
    """``report_list`` rows with their totals (from the prefetched counted policies); with
    ``domain_id``, the totals of that domain's policies only (a report may cover several)."""
    rows = []
    for report in reports:
        policies = [p for p in report.policies.all() if domain_id in (None, p.domain_id)]
        successful, failed = session_totals(policies)
        domains = {p.domain_id: p.domain for p in policies if p.domain is not None}
        ordered = tuple(sorted(domains.values(), key=lambda d: d.name))
        rows.append(ReportRow(report, successful, failed, ordered))
    return rows


def report_reporters(*, scope: Scope) -> list[str]:
    """The reporting organizations of the reports in ``scope`` (the report list's filter)."""
    names = scope_to_org(Report.objects.all(), scope).values_list("organization_name", flat=True)
    return list(names.order_by("organization_name").distinct())


def report_detail(*, scope: Scope, report_id: int) -> Report | None:
    """One report of ``scope`` with its counted policies, their failure details and domains,
    and its first delivery (without the raw bytes); None outside the scope."""
    reports = (
        scope_to_org(Report.objects.all(), scope)
        .filter(pk=report_id)
        .select_related("organization", "submission")
        .defer("submission__payload")
        .annotate(conflicting_copies=Count("policies", filter=Q(policies__counted=False)))
        .prefetch_related(_counted_policies(details=True))
    )
    return reports.first()


def report_for_download(*, scope: Scope, report_id: int) -> Report | None:
    """One report of ``scope`` with its first delivery's raw bytes (for the JSON download)."""
    return (
        scope_to_org(Report.objects.all(), scope)
        .filter(pk=report_id)
        .select_related("submission")
        .first()
    )


# --- a domain's report figures ---------------------------------------------------------------


@dataclass(frozen=True)
class DomainReportFigures:
    """A domain's sessions per day and its failures split three ways over one period."""

    days: list[Point]
    by_result_type: list  # reports.trends.Group, failed sessions only
    by_receiving_mx: list
    by_reporter: list  # successful and failed sessions

    @property
    def total(self) -> Point:
        total = Point(self.days[0].period if self.days else date.min, 0, 0)
        for point in self.days:
            total.successful += point.successful or 0
            total.failed += point.failed
        return total


def domain_report_figures(
    *, scope: Scope, domain_id: int, start: date, end: date, top: int = 6
) -> DomainReportFigures:
    """The domain page's chart and breakdowns, read through ``reports.trends`` (the counting
    rules apply: one policy type per reporter, a failure counted once). Raises
    ``Domain.DoesNotExist`` for a domain outside ``scope``."""
    period = {"scope": scope, "start": start, "end": end, "domain_id": domain_id, "top": top}
    by_type = trend(group_by=GroupBy.RESULT_TYPE, **period)
    by_mx = trend(group_by=GroupBy.RECEIVING_MX, **period)
    by_reporter = trend(group_by=GroupBy.REPORTER, **period)
    return DomainReportFigures(by_type.points, by_type.groups, by_mx.groups, by_reporter.groups)


# --- quarantine ------------------------------------------------------------------------------


def quarantine_open_count(*, scope: Scope) -> int:
    """How many quarantined policies wait in ``scope`` (the navigation badge: one query)."""
    rows = scope_to_org(QuarantinedPolicy.objects.all(), scope)
    return rows.filter(resolved_at__isnull=True).count()


def quarantine_list(*, scope: Scope) -> QuerySet[QuarantinedPolicy]:
    """The open quarantined policies of ``scope``, newest first, each annotated with whether
    its policy-domain is already a domain of its own organization (``owned_here``) or of any
    other organization (``owned_elsewhere``; which one is never read)."""
    rows = scope_to_org(QuarantinedPolicy.objects.all(), scope).filter(resolved_at__isnull=True)
    return with_ownership(rows).select_related("organization").order_by("-created_at", "-id")


def quarantine_item(*, scope: Scope, pk: int) -> QuarantinedPolicy | None:
    """One open quarantined policy of ``scope`` with the ownership annotations, or None."""
    rows = scope_to_org(QuarantinedPolicy.objects.all(), scope).filter(
        pk=pk, resolved_at__isnull=True
    )
    return with_ownership(rows).select_related("organization").first()


def with_ownership(rows: QuerySet[QuarantinedPolicy]) -> QuerySet[QuarantinedPolicy]:
    """``rows`` annotated with ``owned_here`` and ``owned_elsewhere`` (read by
    ``quarantine_add_refusal``)."""
    same_name = Domain.objects.all_tenants().filter(name=OuterRef("policy_domain"))
    return rows.annotate(
        owned_here=Exists(same_name.filter(organization_id=OuterRef("organization_id"))),
        # Deliberately across tenants, and only as a yes/no: a name another organization
        # monitors is not offered for adding (and the page never says whose it is).
        owned_elsewhere=Exists(same_name.exclude(organization_id=OuterRef("organization_id"))),
    )


def quarantine_add_refusal(item: QuarantinedPolicy) -> str:
    """Why "add this domain" is not offered for an annotated quarantined policy ("" if it is)."""
    if not item.policy_domain:
        return "The report named no policy-domain, so there is no domain to add."
    if item.owned_here:
        return "This domain is already monitored: reprocess to store the report."
    if item.owned_elsewhere:
        return "This name is monitored by another organization, so it cannot be added here."
    try:
        normalize_domain_name(item.policy_domain)
    except DomainNameError as exc:
        return f"Not a domain that can be monitored: {exc}."
    return ""


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
