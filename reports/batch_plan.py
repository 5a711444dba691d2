"""Planning one storage batch in memory: what each report adds before anything is written.

Every policy of the batch is routed and offered to the copies already stored or planned for
its key, so a duplicate, a conflicting copy and a quarantined one are told apart (and
counted) without a query per report; ``reports.storage`` then writes the plan in one go under
its lock. Kept apart from the writing so the rules of "what is new" read on their own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from accounts.models import Domain, Organization
from reports import report_parsing as rp
from reports.copies import CONFLICT, DUPLICATE, NEW, Copy, CopyBook
from reports.models import QuarantinedPolicy, Report, ReportPolicy, Submission
from reports.provenance import provenance_of
from reports.quarantine_json import header_as_json, policy_as_json
from reports.routing import normalize_policy_domain, route_policy
from reports.store_rows import (
    DetailRow,
    PolicyKey,
    PolicyRow,
    ReportKey,
    ReportRow,
    clip,
    policy_copy,
    report_day,
    report_key,
)


@dataclass
class StoreItem:
    """One parsed report to store for a tenant, and where it came from."""

    report: rp.Report
    submission: Submission | None  # or any row with .pk and .received_at (bulk.Received)
    source: str
    header_domain: str = ""  # TLS-Report-Domain of the email that carried it
    hints: tuple[str, ...] | None = None  # routing hints; default: the report's policy domains
    resolving: dict[PolicyKey, QuarantinedPolicy] = field(default_factory=dict)
    # A re-processed quarantined copy keeps the rank it arrived with (default: the submission's).
    provenance: int | None = None
    received_at: datetime | None = None

    @property
    def arrived_at(self) -> datetime | None:
        return self.received_at or (self.submission.received_at if self.submission else None)


def merge_same_keys(policies: Sequence[rp.Policy]) -> list[rp.Policy]:
    """Policies of one report with the same (domain, type) become one (counts added)."""
    merged: dict[tuple[str, str], rp.Policy] = {}
    for p in policies:
        key = (normalize_policy_domain(p.policy_domain), p.policy_type)
        if key in merged:
            first = merged[key]
            p = dataclasses.replace(
                first,
                successful_sessions=first.successful_sessions + p.successful_sessions,
                failed_sessions=first.failed_sessions + p.failed_sessions,
                failure_details=first.failure_details + p.failure_details,
            )
        merged[key] = p
    return list(merged.values())


@dataclass
class BatchPlan:
    """What is already stored for the reports of one batch, updated as the batch is planned.

    ``reports`` maps each known report to its id, or to None while it is only planned (its
    row in ``new_reports``); new policies and details name their parent by key / index until
    ``reports.storage`` knows the ids.
    """

    organization: Organization
    domains: dict[str, int]
    reports: dict[ReportKey, int | None]
    copies: CopyBook
    headers: dict[ReportKey, tuple]  # stored report -> (submission_id, received_at) of its header
    quarantined: dict[PolicyKey, list[QuarantinedPolicy]]  # stored and planned copies per key
    now: datetime
    new_reports: dict[ReportKey, ReportRow] = field(default_factory=dict)
    new_policies: list[tuple[ReportKey, Copy]] = field(default_factory=list)  # row: PolicyRow
    new_details: list[tuple[int, DetailRow]] = field(default_factory=list)  # policy index
    new_quarantine: list[tuple[ReportKey, QuarantinedPolicy]] = field(default_factory=list)
    raised_quarantine: dict[int, QuarantinedPolicy] = field(default_factory=dict)  # by pk
    resolved: list[int] = field(default_factory=list)

    @classmethod
    def load(cls, organization: Organization, items: Sequence[StoreItem]) -> BatchPlan:
        keys = {report_key(i.report) for i in items}
        reporters, ids = {k.reporter for k in keys}, {k.report_id for k in keys}
        # Both columns of the unique index, so the lookup stays an index scan as reports grow.
        reports = Report.objects.filter(
            organization=organization, organization_name__in=reporters, report_id__in=ids
        ).values_list("organization_name", "report_id", "pk", "submission_id", "received_at")
        reports = [r for r in reports if r[:2] in keys]
        stored = {(a, b): pk for a, b, pk, *_ in reports}
        policies = ReportPolicy.objects.filter(report__in=list(stored.values())).only(
            *("report__organization_name", "report__report_id", "policy_domain", "policy_type"),
            *("fingerprint", "provenance", "received_at", "counted", "domain_id", "day"),
            "submission_id",
        )
        quarantined: dict[PolicyKey, list[QuarantinedPolicy]] = {}
        for q in QuarantinedPolicy.objects.filter(
            organization=organization, organization_name__in=reporters, report_identifier__in=ids
        ).only(
            *("organization_name", "report_identifier", "policy_domain", "policy_type"),
            *("fingerprint", "provenance", "received_at", "submission_id"),
        ):
            quarantined.setdefault(quarantined_key(q), []).append(q)
        return cls(
            organization=organization,
            domains=_domains(organization, items),
            reports=stored,
            copies=CopyBook.load(
                policies.select_related("report"),
                lambda p: (
                    p.report.organization_name,
                    p.report.report_id,
                    p.policy_domain,
                    p.policy_type,
                ),
            ),
            quarantined=quarantined,
            now=timezone.now(),
            headers={(a, b): (sub, at) for a, b, _, sub, at in reports},
        )

    def header_row(self, item: StoreItem) -> ReportRow:
        """The report's header as ``item``'s delivery states it (a new row, or the values a
        stored row takes when this delivery's copy becomes the one that counts)."""
        r, sub = item.report, item.submission
        return ReportRow(
            self.organization.pk,
            sub.pk if sub else None,
            *report_key(r),
            clip(r.contact_info, 255),
            r.start,
            r.end,
            list(r.repairs),
            item.arrived_at or self.now,
        )

    def report_row(self, item: StoreItem) -> ReportKey:
        key = report_key(item.report)
        if key not in self.reports:
            self.reports[key] = None
            self.new_reports[key] = self.header_row(item)
        return key

    def headers_follow(self) -> list[Report]:
        """Make each report's header the one of its strongest counted copy's delivery.

        A stranger may deliver a forged copy first, so the first delivery's header (contact,
        period, repairs) and bytes must not stand for the report once a stronger copy counts.
        Planned reports take the header in place (no query); stored reports whose header moves
        are returned for one ``bulk_update``. Only a copy this batch added or raised can move
        a header: a stored copy never gains rank on its own, and a copy that loses is always
        beaten by one of this batch.
        """
        moved = []
        for rkey, copy in self.copies.strongest_counted().items():
            header = copy.header
            if header is None:
                continue
            if rkey in self.new_reports:
                self.new_reports[rkey] = header
            elif self.headers.get(rkey) != (header.submission_id, header.received_at):
                moved.append(Report(pk=self.reports[rkey], **header._asdict()))
        return moved

    def add_policy(self, item: StoreItem, policy: rp.Policy, key: PolicyKey, route) -> str:
        """Plan the policy as a copy of ``key``: NEW, DUPLICATE (nothing planned) or CONFLICT."""
        sub = item.submission
        received_at = item.arrived_at or self.now
        day = report_day(item.report)
        details, fingerprint = policy_copy(day, policy)  # details' policy_id: set when written
        row = PolicyRow(
            report_id=None,
            organization_id=self.organization.pk,
            domain_id=self.domains[route.domain_name],
            day=day,
            policy_type=key.policy_type,
            policy_domain=key.policy_domain,
            routed_by=route.routed_by,
            policy_strings=list(policy.policy_strings),
            mx_hosts=list(policy.mx_hosts),
            successful=policy.successful_sessions,
            failed=policy.failed_sessions,
            counted=True,  # counted and provenance: decided by CopyBook, applied when written
            fingerprint=fingerprint,
            provenance=0,
            received_at=received_at,
            submission_id=sub.pk if sub else None,
        )
        rank = _provenance(item)
        copy = Copy(fingerprint, rank, received_at, row.domain_id, day, row.submission_id, row=row)
        copy.header = self.header_row(item)
        outcome = self.copies.offer(key, copy)
        if outcome != DUPLICATE:
            index = len(self.new_policies)
            self.new_policies.append((self.report_row(item), copy))
            self.new_details.extend((index, d) for d in details)
        return outcome

    def quarantine(self, item: StoreItem, policy: rp.Policy, key: PolicyKey, reason: str) -> str:
        """Plan the policy as a quarantined copy of ``key``, as ``add_policy`` does for stored
        ones: DUPLICATE (same content already quarantined; a stronger delivery takes it over),
        NEW (first copy) or CONFLICT (other content: kept beside it, ranked on re-process)."""
        fingerprint = policy_copy(report_day(item.report), policy)[1]
        provenance, received_at = _provenance(item), item.arrived_at or self.now
        submission_id = item.submission.pk if item.submission else None
        copies = self.quarantined.setdefault(key, [])
        same = next((q for q in copies if q.fingerprint == fingerprint), None)
        if same is not None:
            if provenance > same.provenance:
                same.provenance, same.received_at = provenance, received_at
                same.submission_id = submission_id
                if same.pk is not None:
                    self.raised_quarantine[same.pk] = same
            return DUPLICATE
        row = QuarantinedPolicy(
            organization=self.organization,
            submission_id=submission_id,
            organization_name=key.reporter,
            report_identifier=key.report_id,
            policy_type=key.policy_type,
            policy_domain=key.policy_domain,
            policy=policy_as_json(policy),
            report_header=header_as_json(item.report, item.header_domain),
            hints=list(_hints(item)),
            reason=clip(reason, 300),
            created_at=self.now,
            fingerprint=fingerprint,
            provenance=provenance,
            received_at=received_at,
        )
        copies.append(row)
        self.new_quarantine.append((key.report, row))
        return NEW if len(copies) == 1 else CONFLICT


def quarantined_key(q: QuarantinedPolicy) -> PolicyKey:
    return PolicyKey(q.organization_name, q.report_identifier, q.policy_domain, q.policy_type)


def _provenance(item: StoreItem) -> int:
    if item.provenance is not None:
        return item.provenance
    sub = item.submission
    if sub is None:
        return provenance_of(channel="", dkim=None, contact_info="", dkim_mode="")
    return provenance_of(
        channel=sub.channel,
        dkim=(getattr(sub, "metadata", None) or {}).get("dkim"),
        contact_info=item.report.contact_info or "",
        dkim_mode=settings.TLSMON_REPORT_DKIM,
    )


def _domains(organization: Organization, items: Sequence[StoreItem]) -> dict[str, int]:
    """The tenant's domains (name -> id) that any policy, hint or header of these reports could
    name."""
    names = {normalize_policy_domain(i.header_domain) for i in items}
    for item in items:
        names.update(normalize_policy_domain(p.policy_domain) for p in item.report.policies)
        names.update(normalize_policy_domain(h) for h in item.hints or ())
    names.discard("")
    domains = Domain.objects.filter(organization=organization, name__in=names)
    return dict(domains.values_list("name", "pk"))


def _hints(item: StoreItem) -> tuple[str, ...]:
    if item.hints is not None:
        return item.hints
    return tuple(sorted({p.policy_domain for p in item.report.policies if p.policy_domain}))


def plan_report(item: StoreItem, plan: BatchPlan) -> tuple[bool, bool, bool]:
    """Add one report's new rows to ``plan``; returns (accepted, quarantined, conflicting)."""
    rkey = report_key(item.report)
    accepted = quarantined = conflicting = False
    for policy in merge_same_keys(item.report.policies):
        key = PolicyKey(
            *rkey, normalize_policy_domain(policy.policy_domain), clip(policy.policy_type, 40)
        )
        route = route_policy(
            policy_type=policy.policy_type,
            policy_domain=policy.policy_domain,
            hints=_hints(item),
            header_domain=item.header_domain,
            domains=plan.domains,
        )
        pending = item.resolving.get(key)
        if route.domain_name:
            outcome = plan.add_policy(item, policy, key, route)
            accepted = accepted or outcome == NEW
            conflicting = conflicting or outcome == CONFLICT
        elif item.resolving:
            quarantined = True  # still not routable: its row stays open
        else:
            outcome = plan.quarantine(item, policy, key, route.reason)
            quarantined = quarantined or outcome != DUPLICATE
            conflicting = conflicting or outcome == CONFLICT
        if route.domain_name and pending is not None:
            plan.resolved.append(pending.pk)
    if not item.report.policies and rkey not in plan.reports:
        plan.report_row(item)
        accepted = True
    return accepted, quarantined, conflicting
