"""The page of one domain: latest scan (findings with fixes, records), scan history, and the
last two weeks of reports."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.models import Role
from accounts.selectors import domain_list
from reports.selectors import domain_daily_sessions, domain_top_failures
from scans.models import ScanStatus, ScanTrigger
from scans.selectors import scan_history
from scans.services import ScanNotQueued, scan_request
from web.decorators import org_page

REPORT_DAYS = 14


@never_cache  # the record to publish and the fixes carry the report token
@org_page()
def domain_page(request, domain_id: int):
    access = request.access
    domain = domain_list(scope=access.scope).filter(pk=domain_id).first()
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
    scope = access.scope
    history = scan_history(scope=scope, domain_id=domain.pk)
    since = timezone.now().date() - timedelta(days=REPORT_DAYS)
    return render(
        request,
        "web/domain.html",
        {
            "access": access,
            "org": access.organization,
            "domain": domain,
            "latest": next((s for s in history if s.status == ScanStatus.DONE), None),
            "history": history,
            "can_scan": access.can(Role.MEMBER),
            "days": domain_daily_sessions(scope=scope, start=since, domain_id=domain.pk),
            "failures": domain_top_failures(scope=scope, domain_id=domain.pk, start=since),
            "report_days": REPORT_DAYS,
        },
    )
