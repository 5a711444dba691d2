"""Read paths of scanning."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from accounts.models import Domain
from accounts.scoping import Scope, scope_to_org
from scans.models import ExternalAuthorization, ExternalAuthorizationStatus, Scan, ScanStatus


def latest_results(*, domain_ids: Iterable[int]) -> dict[int, dict]:
    """The latest finished scan's ``result`` per domain id, in two queries whatever the count.

    Callers pass ids they already scoped (a request's domains) or a background sweep's ids.
    """
    latest = Scan.objects.filter(domain=OuterRef("pk"), status=ScanStatus.DONE).order_by(
        "-finished_at", "-id"
    )
    pairs = (
        Domain.objects.all_tenants()
        .filter(pk__in=list(domain_ids))
        .annotate(last_scan_id=Subquery(latest.values("pk")[:1]))
        .values_list("pk", "last_scan_id")
    )
    by_scan = {scan_id: domain_id for domain_id, scan_id in pairs if scan_id}
    rows = Scan.objects.filter(pk__in=list(by_scan)).values_list("pk", "result")
    return {by_scan[pk]: result for pk, result in rows}


def authorization_hosts(
    *, scope: Scope, narrowed: QuerySet[ExternalAuthorization] | None = None
) -> list[dict]:
    """Per external rua host in ``scope``: how many domains send reports there and how many of
    those the host authorizes, by status. ``narrowed``: the caller's filters (an API query);
    scoped here whatever it holds, so it can narrow the answer but never widen it.

    Destinations inside the domain itself (``not_needed``) need no record and are left out.
    ``missing_records`` counts records to publish: one ``<domain>._report._tls.<host>`` covers
    every URI of that domain on that host (``mailto:`` and ``https:``), so domains, not rows.
    """
    rows = ExternalAuthorization.objects.all() if narrowed is None else narrowed
    external = scope_to_org(rows, scope).exclude(status=ExternalAuthorizationStatus.NOT_NEEDED)
    counts = {
        status: Count("id", filter=Q(status=status))
        for status in ExternalAuthorizationStatus.values
    }
    missing = Q(status=ExternalAuthorizationStatus.MISSING)
    hosts = (
        external.order_by()
        .values("rua_host", "is_tlsmon")
        .annotate(
            domains=Count("domain_id", distinct=True),
            missing_records=Count("domain_id", filter=missing, distinct=True),
            **counts,
        )
        .order_by("-missing", "rua_host", "is_tlsmon")
    )
    return [
        {
            "rua_host": row["rua_host"],
            "is_tlsmon": row["is_tlsmon"],
            "domains": row["domains"],
            "missing_records": row["missing_records"],
            "statuses": {s: row[s] for s in ExternalAuthorizationStatus.values},
        }
        for row in hosts
    ]


def scan_history(*, scope: Scope, domain_id: int, limit: int = 20) -> list[Scan]:
    """The newest ``limit`` scans of one domain in ``scope``, with their changes."""
    scans = scope_to_org(Scan.objects.all(), scope).filter(domain_id=domain_id)
    return list(scans.prefetch_related("changes").order_by("-requested_at", "-id")[:limit])


def scans_by_id(*, scope: Scope, ids: Iterable[int]) -> dict[int, Scan]:
    """The scans with these ids that ``scope`` reaches (others are simply absent), by id."""
    return scope_to_org(Scan.objects.all(), scope).in_bulk(list(ids))
