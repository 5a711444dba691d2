"""The domains' 7- and 30-day session totals (``accounts.Domain.sessions_7d`` ...), read by the
coverage view: written for the domains an ingestion touched, and for every domain once a day
when the windows move on (beat job ``report_windows``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.db import connection
from django.utils import timezone

from accounts.models import Domain
from reports.models import DomainDailyTotal
from reports.sql import CHUNK, day_param, table_name

WINDOWS = (7, 30)


def window_bounds(today: date) -> tuple[date, dict[int, date]]:
    """The last counted day (yesterday: complete UTC days only) and each window's first day."""
    end = today - timedelta(days=1)
    return end, {days: end - timedelta(days=days - 1) for days in WINDOWS}


def domain_windows_refresh(
    *, domain_ids: Sequence[int] | None = None, today: date | None = None
) -> int:
    """Write ``sessions_7d``/``failed_7d``/``sessions_30d``/``failed_30d`` (and the window's
    last day) onto these domains, or onto every domain (the daily job); rows updated."""
    today = today or timezone.now().date()
    end, starts = window_bounds(today)
    totals, domains = table_name(DomainDailyTotal), table_name(Domain)

    def window_sum(expression: str, days: int) -> str:
        return (
            f"COALESCE((SELECT SUM({expression}) FROM {totals} t WHERE t.domain_id = "
            f"{domains}.id AND t.day BETWEEN %s AND %s), 0)"
        )

    assignments, params = ["report_window_end = %s"], [day_param(end)]
    for days in WINDOWS:
        bounds = [day_param(starts[days]), day_param(end)]
        assignments.append(f"sessions_{days}d = {window_sum('successful + failed', days)}")
        assignments.append(f"failed_{days}d = {window_sum('failed', days)}")
        params += bounds * 2
    sql = f"UPDATE {domains} SET {', '.join(assignments)}"
    updated = 0
    with connection.cursor() as cursor:
        if domain_ids is None:
            cursor.execute(sql, params)
            return cursor.rowcount
        if connection.vendor == "postgresql":
            cursor.execute(f"{sql} WHERE id = ANY(%s::bigint[])", [*params, list(domain_ids)])
            return cursor.rowcount
        for start in range(0, len(domain_ids), CHUNK):
            ids = list(domain_ids[start : start + CHUNK])
            cursor.execute(f"{sql} WHERE id IN ({', '.join(['%s'] * len(ids))})", [*params, *ids])
            updated += cursor.rowcount
    return updated
