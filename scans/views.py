"""Web UI page of one domain: its latest scan (findings with fixes, records seen), history."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from accounts.decorators import org_page
from accounts.selectors import domain_list
from scans.models import Scan, ScanStatus, ScanTrigger
from scans.services import scan_request


@org_page()
def domain_page(request, domain_id: int):
    access = request.access
    domain = domain_list(scope=access.scope).filter(pk=domain_id).first()
    if domain is None:
        raise Http404("no such domain")
    if request.method == "POST":
        scan = scan_request(domain=domain, trigger=ScanTrigger.WEB)
        scan.refresh_from_db(fields=["status"])  # done already when tasks run in-process
        done = scan.status != ScanStatus.QUEUED
        note = "finished" if done else "queued; reload in a few seconds"
        messages.success(request, f"Scan #{scan.pk} {note}.")
        return redirect("domain", slug=access.organization.slug, domain_id=domain.pk)
    scans = Scan.objects.filter(domain=domain).prefetch_related("changes")
    history = list(scans.order_by("-requested_at", "-id")[:20])
    latest = next((scan for scan in history if scan.status == ScanStatus.DONE), None)
    return render(
        request,
        "scans/domain.html",
        {
            "access": access,
            "org": access.organization,
            "domain": domain,
            "latest": latest,
            "history": history,
            "can_scan": access.can("member"),
        },
    )
