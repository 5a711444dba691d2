"""The report pages: the organization's recent reports, one report in plain words, and the
report's JSON exactly as the sender wrote it."""

from __future__ import annotations

from dataclasses import asdict

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.text import slugify

from accounts.selectors import domain_list
from core.result_types import RESULT_TYPES
from reports.intake import original_report_json
from reports.selectors import (
    report_conflicts,
    report_detail,
    report_for_download,
    report_list,
    report_reporters,
    report_rows,
)
from web.decorators import org_page

PAGE_SIZE = 50


@org_page()
def report_list_page(request):
    access = request.access
    domains = domain_list(scope=access.scope).select_related(None).only("name", "unicode_name")
    domain_id = request.GET.get("domain", "")
    domain = domains.filter(pk=domain_id).first() if domain_id.isdigit() else None
    reporter = request.GET.get("reporter", "").strip()
    reports = report_list(
        scope=access.scope, domain_id=domain.pk if domain else None, reporter=reporter or None
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "access": access,
        "org": access.organization,
        "page": page,
        "rows": report_rows(page.object_list),
        "domains": domains if domains.count() <= 500 else None,  # too many for a menu
        "domain": domain,
        "reporters": report_reporters(scope=access.scope),
        "reporter": reporter,
        "filtered": bool(domain or reporter),
        "page_query": _filter_query(domain, reporter),
    }
    return render(request, "web/report_list.html", context)


def _filter_query(domain, reporter: str) -> str:
    """The list's filters as a query string: the pager's links keep them."""
    filters = {"domain": domain.pk if domain else "", "reporter": reporter}
    return urlencode({key: value for key, value in filters.items() if value})


@org_page()
def report_page(request, report_id: int):
    access = request.access
    report = report_detail(scope=access.scope, report_id=report_id)
    if report is None:
        raise Http404("no such report")
    submission = report.submission
    conflicts = []
    if report.conflicting_copies:
        conflicts = report_conflicts(scope=access.scope, report=report)
    context = {
        "access": access,
        "org": access.organization,
        "report": report,
        "policies": list(report.policies.all()),
        "submission": submission,
        "dkim": (submission.metadata or {}).get("dkim") if submission else None,
        "conflicts": [asdict(c) for c in conflicts],
        "raw_kept": submission is not None and submission.purged_at is None,
        "result_types": RESULT_TYPES.values(),
    }
    return render(request, "web/report.html", context)


@org_page()
def report_raw(request, report_id: int):
    report = report_for_download(scope=request.access.scope, report_id=report_id)
    if report is None:
        raise Http404("no such report")
    data = original_report_json(report)
    if data is None:
        raise Http404("the original report is no longer stored")
    response = HttpResponse(data, content_type="application/json")
    name = slugify(f"{report.organization_name} {report.start:%Y-%m-%d} {report.pk}") or "report"
    response["Content-Disposition"] = f'attachment; filename="tlsrpt-{name}.json"'
    return response
