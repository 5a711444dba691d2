"""The portfolio dashboard's figures for one scope, read through the same selectors as the API.

Tiles and gaps are ``coverage_summary`` over ``coverage_domains`` (what
``GET /api/v1/coverage/summary/`` answers); sessions, failure rate and the failure chart are
``reports.trends.trend`` over the API's default period (the 30 complete UTC days ending
yesterday, as ``GET /api/v1/trends/``); the worst domains come from the coverage rows. Nothing
is counted here, so the page and the API cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from accounts.models import Domain
from accounts.scoping import Scope
from portfolio.coverage import coverage_domains, coverage_summary, coverage_totals, worst_domains
from reports.trends import GroupBy, Interval, Trend, trend

DAYS = 30
# Result types (or clients) with their own colour in the chart; the rest is "everything else".
CHART_GROUPS = 6


@dataclass(frozen=True)
class Overview:
    totals: dict  # the summary API's "totals"
    organizations: list[dict]  # the summary API's "organizations" (one row per client)
    trend: Trend  # 30 days; groups: failed sessions by result type, or by client
    worst: list[Domain]

    @property
    def by_client(self) -> bool:
        return self.trend.group_by == GroupBy.ORGANIZATION

    @property
    def is_empty(self) -> bool:
        return self.totals["domains"] == 0


def trend_period(today: date, days: int = DAYS) -> tuple[date, date]:
    """The API's default period: ``days`` complete UTC days ending yesterday."""
    end = today - timedelta(days=1)
    return end - timedelta(days=days - 1), end


def portfolio_overview(*, scope: Scope, now: datetime) -> Overview:
    """Everything the dashboard of ``scope`` shows. An MSP's scope (``includes_clients``)
    splits the failure chart by client, any other by RFC 8460 result type. An empty scope
    costs the summary query only."""
    domains = coverage_domains(scope=scope, now=now)
    organizations = coverage_summary(domains=domains, now=now)
    totals = coverage_totals(organizations)
    start, end = trend_period(now.date())
    if totals["domains"] == 0:
        return Overview(totals, organizations, trend=_no_trend(start, end), worst=[])
    group_by = GroupBy.ORGANIZATION if scope.includes_clients else GroupBy.RESULT_TYPE
    return Overview(
        totals,
        organizations,
        trend=trend(scope=scope, start=start, end=end, group_by=group_by, top=CHART_GROUPS),
        worst=worst_domains(domains=domains.prefetch_related(None)),
    )


def _no_trend(start: date, end: date) -> Trend:
    return Trend(start, end, interval=Interval.DAY, group_by=None, points=[], groups=[])
