"""The organization dashboard (``/o/<slug>/``): verdict tiles, coverage gaps, 30-day sessions
and failures with their chart, the ten worst domains and, for an MSP, a row per client.

Every figure comes from ``portfolio.overview`` (the selectors behind the coverage summary and
trends APIs); this module only arranges them. An organization without domains gets the first
step instead of empty tables.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import Role
from core.result_types import describe
from core.vocabulary import Verdict
from portfolio.coverage import GAP_KINDS, REPORTS_SILENT, VERDICTS
from portfolio.overview import Overview, portfolio_overview
from reports.trends import OTHER
from web.charts import PALETTE, Series, stacked_bars
from web.decorators import org_page
from web.templatetags.labels import human_label

UNSCANNED_LABEL = "Not yet scanned"  # the one tile that is not a verdict


@org_page()
def org_dashboard(request):
    """The ``organization`` page: an organization's dashboard (an MSP's across its clients)."""
    access = request.access
    overview = portfolio_overview(scope=access.scope, now=timezone.now())
    slug = access.organization.slug
    context = {
        "access": access,
        "org": access.organization,
        "overview": overview,
        "can_manage_tokens": access.can(Role.ADMIN),
    }
    if overview.is_empty:
        context["add_url"] = _url_or_none("domain-add", slug) if access.can(Role.MEMBER) else None
        return render(request, "web/org_dashboard_empty.html", context)
    list_url = reverse("domains", kwargs={"slug": slug})
    context |= {
        "list_url": list_url,
        "tiles": _verdict_tiles(overview, list_url),
        "gaps": _gap_rows(overview, list_url),
        "chart": _chart(overview),
        "silent_days": settings.TLSMON_REPORTS_SILENT_DAYS,
    }
    return render(request, "web/org_dashboard.html", context)


def _url_or_none(name: str, slug: str) -> str | None:
    """The URL of a page another part of the UI provides, if it is installed."""
    try:
        return reverse(name, kwargs={"slug": slug})
    except NoReverseMatch:
        return None


def _filtered(list_url: str, **params) -> str:
    return f"{list_url}?{urlencode(params)}"


def _verdict_tiles(overview: Overview, list_url: str) -> list[dict]:
    """One tile per verdict in the vocabulary's order, then the unscanned domains."""
    verdicts = overview.totals["verdicts"]
    return [
        {
            "key": v,
            "label": _tile_label(v),
            "count": verdicts[v],
            "url": _filtered(list_url, verdict=v),
        }
        for v in VERDICTS
    ]


def _tile_label(key: str) -> str:
    """The verdict's own label; on its own a tile saying "Error" would read as a failure."""
    if key == "unscanned":  # coverage's key for domains without a scan yet
        return UNSCANNED_LABEL
    verdict = Verdict(key)
    return f"{verdict.label} (could not tell)" if verdict is Verdict.ERROR else verdict.label


def _gap_rows(overview: Overview, list_url: str) -> list[dict]:
    gaps = overview.totals["gaps"]
    return [
        {
            "key": kind,
            "label": "Reports stopped arriving" if kind == REPORTS_SILENT else human_label(kind),
            "count": gaps[kind],
            "url": _filtered(list_url, gap=kind),
        }
        for kind in GAP_KINDS
    ]


def _group_label(overview: Overview, key: str, label: str) -> str:
    if key == OTHER:
        return "Other clients" if overview.by_client else "Other result types"
    return label if overview.by_client else describe(key).label


def _chart(overview: Overview) -> dict:
    """The stacked chart of failed sessions per day and its text alternative (one row per
    day, one column per series, the day's bar height last)."""
    trend = overview.trend
    days = [point.period for point in trend.points]
    series = [
        Series(_group_label(overview, g.key, g.label), [p.failed for p in g.points], colour)
        for g, colour in zip(trend.groups, PALETTE, strict=False)
    ]
    title = "Failed sessions per day by " + ("client" if overview.by_client else "result type")
    rows = [
        {"day": day, "values": values, "total": sum(values)}
        for day, values in zip(days, _by_day(series, len(days)), strict=True)
    ]
    return {
        "svg": stacked_bars(chart_id="failure-chart", title=title, days=days, series=series),
        "title": title,
        "series": series,
        "series_totals": [sum(s.values) for s in series],
        "all_total": sum(row["total"] for row in rows),
        "rows": rows,
        "total": trend.total,
    }


def _by_day(series: list[Series], days: int) -> list[tuple[int, ...]]:
    """The series' values day by day (an empty tuple per day without series)."""
    return list(zip(*(s.values for s in series), strict=True)) if series else [()] * days
