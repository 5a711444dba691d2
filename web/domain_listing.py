"""The domain list's query string read once for the page and its CSV export: the coverage API's
filters (same parameter names and values), ``search``, ``sort`` and ``page_size``.

A value that makes no sense (an unknown verdict, another tenant's organization, a sort that
does not exist) becomes a message naming the parameter, never a 500 and never a silently
ignored filter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from accounts.models import Domain
from portfolio.coverage import coverage_domains
from portfolio.coverage_browse import SORTS, coverage_order, coverage_search, sort_key
from portfolio.coverage_filters import CoverageFilter

PAGE_SIZES = (25, 50, 100)  # a page of 200 rendered in ~110 ms of CPU (bench/web_pages.py)
DEFAULT_PAGE_SIZE = 50
FILTER_LABELS = {
    "organization": "Client",
    "verdict": "Verdict",
    "gap": "Gap",
    "tag": "Tag",
    "mta_sts": "MTA-STS",
    "has_failures": "Failures (7 days)",
    "min_failure_rate": "Minimum failure rate",
    "active": "Active",
}


@dataclass
class Listing:
    domains: QuerySet[Domain] | None  # None when the query string has errors
    sort: str
    descending: bool
    page_size: int
    search: str
    errors: list[str] = field(default_factory=list)


def _page_size(value: str | None, errors: list[str]) -> int:
    if not value:
        return DEFAULT_PAGE_SIZE
    if value.isdigit() and int(value) in PAGE_SIZES:
        return int(value)
    errors.append(f"Per page: choose one of {', '.join(map(str, PAGE_SIZES))} (got {value!r}).")
    return DEFAULT_PAGE_SIZE


def domain_listing(request: HttpRequest, params: QueryDict | None = None) -> Listing:
    """The scoped, filtered, searched and sorted domains of ``request.access``, by ``params``
    (default: the request's query string)."""
    # The API's organization filter offers the organizations of ``request.scope``.
    request.scope = request.access.scope
    params = request.GET if params is None else params
    errors: list[str] = []
    sort = sort_key(params.get("sort"))
    if sort is None:
        errors.append(
            f"Sort: {params.get('sort')!r} is not a sort order; choose one of "
            + ", ".join(SORTS)
            + " (a leading '-' reverses it)."
        )
    key, descending = sort or ("name", False)
    page_size = _page_size(params.get("page_size"), errors)
    search = params.get("search", "").strip()
    domains = coverage_domains(scope=request.access.scope, now=timezone.now())
    filters = CoverageFilter(params, queryset=domains, request=request)
    if not filters.is_valid():
        for name, messages in filters.errors.items():
            label = FILTER_LABELS.get(name, name)
            errors += [f"{label} ({name}={params.get(name)!r}): {m}" for m in messages]
    if errors:
        return Listing(None, key, descending, page_size, search, errors)
    # A tag name is unique in its organization, so the tag filter's join adds no duplicates.
    domains = coverage_order(coverage_search(filters.qs, search), key, descending=descending)
    return Listing(domains, key, descending, page_size, search)
