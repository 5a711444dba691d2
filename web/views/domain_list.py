"""The domain list at MSP scale (``/o/<slug>/domains/``) and its CSV export: server-side
sort, the coverage API's filters, search and pages of rows; bulk changes go to
``web.views.domain_bulk``."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import Role, Tag
from accounts.scoping import scope_to_org
from accounts.selectors import organization_choices
from portfolio.coverage import GAP_KINDS, MTA_STS_STATUSES, VERDICTS, coverage_gaps
from portfolio.coverage_api import COVERAGE_COLUMNS, coverage_csv_row
from portfolio.coverage_browse import SORTS, coverage_page
from portfolio.csv_export import csv_response
from web.decorators import org_page
from web.domain_listing import PAGE_SIZES, domain_listing


@org_page()
def domain_list(request):
    access = request.access
    listing = domain_listing(request)
    page = None
    if listing.domains is not None:
        page = coverage_page(
            listing.domains, number=request.GET.get("page"), per_page=listing.page_size
        )
        for domain in page.object_list:
            domain.gaps = coverage_gaps(domain)
    context = {
        "access": access,
        "org": access.organization,
        "listing": listing,
        "page": page,
        "params": request.GET,
        "query": _query(request, drop=("page",)),
        "sort_links": _sort_links(request, listing),
        "choices": _choices(access),
        "page_sizes": PAGE_SIZES,
        "can_change": access.can(Role.MEMBER),
    }
    status = 400 if listing.errors else 200
    return render(request, "web/domain_list.html", context, status=status)


@org_page()
def domain_export(request):
    """The rows of the list's filters as the coverage API's CSV (same columns and cells)."""
    listing = domain_listing(request)
    if listing.domains is None:
        return HttpResponse("\n".join(listing.errors) + "\n", status=400, content_type="text/plain")
    stamp = timezone.now().strftime("%Y%m%d")
    rows = listing.domains.iterator(chunk_size=2000)
    name = f"coverage-{request.access.organization.slug}-{stamp}.csv"
    return csv_response(name, COVERAGE_COLUMNS, map(coverage_csv_row, rows))


def _query(request, *, drop: tuple[str, ...] = (), **changes) -> str:
    """The current query string without ``drop`` and with ``changes``, for links."""
    params = request.GET.copy()
    for name in drop:
        params.pop(name, None)
    for name, value in changes.items():
        params[name] = value
    return params.urlencode()


def _sort_links(request, listing) -> dict[str, dict]:
    """Per sortable column: the link that sorts by it (or reverses it) and its arrow."""
    links = {}
    for key in SORTS:
        current = key == listing.sort
        target = key if not current or listing.descending else f"-{key}"
        arrow = ("▼" if listing.descending else "▲") if current else ""
        links[key] = {"url": "?" + _query(request, drop=("page",), sort=target), "arrow": arrow}
    return links


def _tags(scope) -> QuerySet:
    return (
        scope_to_org(Tag.objects.all(), scope)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()
    )


def _choices(access) -> dict:
    scope = access.scope
    return {
        "organizations": organization_choices(scope=scope) if scope.includes_clients else [],
        "verdicts": VERDICTS,
        "gaps": GAP_KINDS,
        "mta_sts": [s for s in MTA_STS_STATUSES if s not in ("not_applicable", "unscanned")],
        "tags": _tags(scope),
        "sorts": SORTS,
    }
