"""Read paths of a digest: what one recipient's scope looks like now, through the existing
selectors (coverage from ``portfolio.coverage``, failure figures from ``reports.trends``), turned
into the inputs of ``notify.digest_content``. Query count grows with organizations, never with
domains (bench/digest.py measures it)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import reduce
from operator import or_

from django.conf import settings

from accounts.models import Domain, Membership, Organization
from accounts.scoping import Scope, scope_to_org
from accounts.selectors import MANAGING_ROLES, organization_choices
from notify.digest_content import (
    Digest,
    DomainFailures,
    Figures,
    GapRow,
    OrganizationRef,
    build_digest,
)
from notify.digest_schedule import DuePeriod
from notify.models import DigestDelivery, DigestStatus
from portfolio.coverage import (
    GAP_KINDS,
    coverage_annotate,
    coverage_gaps,
    coverage_summary,
    gap_condition,
)
from reports.trends import GroupBy, trend

TOP = 5


def recipient_scope(membership: Membership) -> Scope:
    """What a member's digest covers, by the web UI's rule (``accounts.selectors``): an MSP's
    owners and admins get their clients too; everyone else their own organization."""
    organization = membership.organization
    includes = not organization.is_client and membership.role in MANAGING_ROLES
    return Scope(organization, includes_clients=includes)


def scope_has_domains(scope: Scope) -> bool:
    return scope_to_org(Domain.objects.all(), scope).exists()


def _organizations(scope: Scope, now: datetime) -> dict[OrganizationRef, Organization]:
    """Organizations with at least one domain: the recipient's own first, then clients."""
    domains = scope_to_org(Domain.objects.all(), scope)
    counts = {
        row["organization"]: row["domains"] for row in coverage_summary(domains=domains, now=now)
    }
    rows = sorted(
        organization_choices(scope=scope),
        key=lambda o: (o.pk != scope.organization.pk, o.name.lower(), o.pk),
    )
    return {
        OrganizationRef(org.pk, org.slug, org.name, counts[org.slug], org.is_client): org
        for org in rows
        if counts.get(org.slug)
    }


def _gap_rows(scope: Scope, now: datetime) -> list[GapRow]:
    domains = scope_to_org(Domain.objects.all(), scope)
    with_gaps = reduce(or_, (gap_condition(kind, now) for kind in GAP_KINDS))
    rows = coverage_annotate(domains.filter(with_gaps), now=now).prefetch_related(None)
    return [
        GapRow(d.organization_id, d.pk, d.unicode_name or d.name, tuple(coverage_gaps(d)))
        for d in rows.only("id", "name", "unicode_name", "organization", "scan_gaps")
    ]


def _figures(scope: Scope, organization: Organization, days) -> Figures:
    """Sessions, failures, the top failing domains and result types of one organization."""
    start, end = days
    period = {"scope": scope, "start": start, "end": end, "top": TOP, "organization": organization}
    by_domain = trend(group_by=GroupBy.DOMAIN, **period)
    total = by_domain.total
    top_domains = tuple(
        DomainFailures(int(g.key), g.label, g.total.failed, g.total.sessions or 0)
        for g in by_domain.groups
        if g.key != "other"
    )
    top_results: tuple = ()
    if total.failed:
        by_result = trend(group_by=GroupBy.RESULT_TYPE, **period)
        top_results = tuple((g.key, g.total.failed) for g in by_result.groups if g.key != "other")
    return Figures(organization.pk, total.sessions or 0, total.failed, top_domains, top_results)


def _display_names(scope: Scope, figures: list[Figures]) -> list[Figures]:
    """Top failing domains by their Unicode names (the trends label them by A-label), in one
    query for the whole digest."""
    ids = {d.domain_id for f in figures for d in f.top_domains}
    if not ids:
        return figures
    names = dict(
        scope_to_org(Domain.objects.all(), scope)
        .filter(pk__in=ids)
        .values_list("pk", "unicode_name")
    )
    return [
        replace(
            f,
            top_domains=tuple(
                replace(d, domain_name=names.get(d.domain_id) or d.domain_name)
                for d in f.top_domains
            ),
        )
        for f in figures
    ]


def previous_gap_keys(membership_id: int, *, before: datetime) -> list | None:
    """What the last digest sent to this membership listed (None: it never got one)."""
    previous = (
        DigestDelivery.objects.filter(
            membership_id=membership_id, status=DigestStatus.SENT, period_end__lte=before
        )
        .order_by("-period_end", "-id")
        .values_list("gap_keys", flat=True)
        .first()
    )
    return previous


def digest_gather(*, membership: Membership, due: DuePeriod, now: datetime) -> Digest:
    """The digest of ``due`` for ``membership``, as its scope looks at ``now``."""
    scope = recipient_scope(membership)
    organizations = _organizations(scope, now)
    shown = list(organizations)
    previous = previous_gap_keys(membership.pk, before=due.end)
    existing: set[int] = set()
    if previous:
        existing = set(scope_to_org(Domain.objects.all(), scope).values_list("pk", flat=True))
    return build_digest(
        period=due.period,
        start=due.start,
        end=due.end,
        report_days=due.report_days,
        organizations=shown,
        gap_rows=_gap_rows(scope, now) if shown else [],
        previous=previous,
        existing_domain_ids=existing,
        figures=_display_names(
            scope, [_figures(scope, org, due.report_days) for org in organizations.values()]
        ),
        kinds=GAP_KINDS,
        silent_days=settings.TLSMON_REPORTS_SILENT_DAYS,
        # Grouped by organization whenever a client is in it, so a client's gaps are never
        # shown under the MSP's name alone.
        rollup=any(o.is_client for o in shown),
    )
