"""The page of one domain: verdict and score, findings with fixes, records, MX hosts and
MTA-STS policy, scan history with what changed, 30 days of reports and their breakdowns."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.models import Role
from accounts.selectors import domain_list
from reports.selectors import domain_report_figures, report_list, report_rows
from scans.models import ScanStatus, ScanTrigger
from scans.on_demand import ScanNotQueued, scan_request
from scans.results import score_note
from scans.selectors import scan_history
from web.charts import FAILURE, SUCCESS, Series, stacked_bars
from web.decorators import org_page

REPORT_DAYS = 30
RECENT_REPORTS = 10
NO_MAIL = frozenset({"null", "nxdomain", "none"})  # MX kinds of a domain that takes no mail


@never_cache  # the record to publish and the fixes carry the report token
@org_page()
def domain_page(request, domain_id: int):
    access = request.access
    domain = (
        domain_list(scope=access.scope)
        .select_related("organization__managed_by")
        .filter(pk=domain_id)
        .first()
    )
    if domain is None:
        raise Http404("no such domain")
    if request.method == "POST":
        try:
            scan = scan_request(domain=domain, trigger=ScanTrigger.WEB)
        except ScanNotQueued as exc:
            messages.error(
                request,
                "The scan could not be started: the task queue is unreachable. "
                f"Try again in {exc.retry_after} seconds.",
            )
            return redirect("domain", slug=access.organization.slug, domain_id=domain.pk)
        note = "queued; reload in a few seconds" if scan.status == ScanStatus.QUEUED else "done"
        messages.success(request, f"Scan #{scan.pk} {note}.")
        return redirect("domain", slug=access.organization.slug, domain_id=domain.pk)
    history = scan_history(scope=access.scope, domain_id=domain.pk)
    latest = next((s for s in history if s.status == ScanStatus.DONE), None)
    mx_kind = ((latest.result or {}).get("mx") or {}).get("kind") if latest else None
    context = {
        "access": access,
        "org": access.organization,
        "domain": domain,
        "latest": latest,
        "history": history,
        "no_mail": mx_kind in NO_MAIL,
        "score_note": score_note(domain.scan_verdict),
        "can_scan": access.can(Role.MEMBER),
        "report_days": REPORT_DAYS,
        **_reports_context(access.scope, domain),
    }
    return render(request, "web/domain.html", context)


def _reports_context(scope, domain) -> dict:
    """The 30-day chart (SVG and its text), the breakdowns and the recent reports."""
    end = timezone.now().date()
    figures = domain_report_figures(
        scope=scope, domain_id=domain.pk, start=end - timedelta(days=REPORT_DAYS - 1), end=end
    )
    chart = stacked_bars(
        chart_id="sessions-chart",
        title=f"TLS sessions to {domain.unicode_name} per day (UTC), last {REPORT_DAYS} days",
        days=[p.period for p in figures.days],
        series=[
            Series("Successful sessions", [p.successful or 0 for p in figures.days], SUCCESS),
            Series("Failed sessions", [p.failed for p in figures.days], FAILURE),
        ],
    )
    recent = report_list(scope=scope, domain_id=domain.pk)[:RECENT_REPORTS]
    rows = report_rows(recent, domain_id=domain.pk)
    return {"figures": figures, "chart": chart, "recent_reports": rows}
