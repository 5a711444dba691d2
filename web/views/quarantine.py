"""The quarantine page: reports delivered to the organization for names that are not its
domains, with "add this domain" and "reprocess"; and the count badge in the navigation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Role
from reports.quarantine_actions import quarantine_add_domain
from reports.selectors import (
    quarantine_add_refusal,
    quarantine_item,
    quarantine_list,
    quarantine_open_count,
)
from reports.services import quarantine_reprocess
from reports.summary import IngestSummary
from web.decorators import org_page
from web.navigation import BADGES

PAGE_SIZE = 50

BADGES["quarantine"] = lambda access: quarantine_open_count(scope=access.scope)


@org_page()
def quarantine(request):
    access = request.access
    page = Paginator(quarantine_list(scope=access.scope), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    entries = [(item, quarantine_add_refusal(item)) for item in page.object_list]
    context = {
        "access": access,
        "org": access.organization,
        "page": page,
        "entries": entries,
        "can_act": access.can(Role.MEMBER),
    }
    return render(request, "web/quarantine.html", context)


def _item_or_404(request, item_id: int):
    item = quarantine_item(scope=request.access.scope, pk=item_id)
    if item is None:
        raise Http404("no such quarantined report")
    return item


def _outcome(summary: IngestSummary) -> str:
    if summary.accepted:
        return f"{summary.accepted} report(s) stored."
    if summary.duplicates:
        return "Already stored by a later delivery; removed from quarantine."
    return "Still not one of your domains: it stays in quarantine."


@require_POST
@org_page(post_role=Role.MEMBER)
def quarantine_retry(request, item_id: int):
    item = _item_or_404(request, item_id)
    summary = quarantine_reprocess(organization=item.organization, quarantined=[item])
    messages.success(request, _outcome(summary))
    return redirect("quarantine", slug=request.access.organization.slug)


@require_POST
@org_page(post_role=Role.MEMBER)
def quarantine_add(request, item_id: int):
    item = _item_or_404(request, item_id)
    try:
        domain, summary = quarantine_add_domain(item=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("quarantine", slug=request.access.organization.slug)
    messages.success(request, f"Added {domain.unicode_name}. {_outcome(summary)}")
    return redirect("quarantine", slug=request.access.organization.slug)
