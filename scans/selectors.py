"""Read paths of scanning."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef, Subquery

from accounts.models import Domain
from scans.models import Scan, ScanStatus


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
