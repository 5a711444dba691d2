"""Read paths over the daily roll-ups (always for one tenant scope)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Sum

from accounts.scoping import Scope, scope_to_org
from reports.models import DailyFailure, DomainDailyTotal


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
