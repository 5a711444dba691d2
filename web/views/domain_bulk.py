"""Bulk pause, resume and delete from the domain list: a confirmation page that lists what
will change, then the change on the confirming POST (members and above; viewers get 403).

The selection is the ticked rows, or every domain the list's filters match (``all_matching``);
the confirmation carries the resolved ids, so what is confirmed is exactly what changes.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.models import Role
from accounts.selectors import domain_list
from portfolio.services import domains_delete, domains_set_active
from web.bulk_forms import ACTIONS, DomainBulkForm
from web.decorators import org_page
from web.domain_listing import domain_listing

# Deleting rebuilds the figures of each domain's days, so fewer at once than pausing.
MAX_SELECTION = {"pause": 10_000, "resume": 10_000, "delete": 1_000}
SHOWN = 100  # names listed on the confirmation page; the rest are counted


@org_page(view_role=Role.MEMBER, post_role=Role.MEMBER)
def domain_bulk(request):
    access = request.access
    data = request.POST if request.method == "POST" else request.GET
    form = DomainBulkForm(data or None, domains=domain_list(scope=access.scope))
    selected = _selection(request, form) if form.is_valid() else None
    if selected is not None and request.method == "POST" and data.get("confirm") == "yes":
        return _apply(request, form.cleaned_data["action"], selected, form.cleaned_data["back"])
    action = form.cleaned_data.get("action") if selected is not None else None
    context = {
        "access": access,
        "org": access.organization,
        "form": form,
        "selected": selected or [],
        "shown": (selected or [])[:SHOWN],
        "more": max(0, len(selected or []) - SHOWN),
        "ids": ",".join(str(d.pk) for d in selected or []),
        "action": action,
        "action_label": ACTIONS.get(action or ""),
        "back_url": _back_url(access.organization.slug, data.get("back", "")),
    }
    status = 400 if form.errors else 200
    return render(request, "web/domain_bulk.html", context, status=status)


def _selection(request, form) -> list | None:
    """The chosen domains, or None after adding to ``form`` why there are none to change."""
    cleaned = form.cleaned_data
    if cleaned["all_matching"]:
        listing = domain_listing(request, QueryDict(cleaned["back"].lstrip("?")))
        for error in listing.errors:
            form.add_error(None, error)
        if listing.domains is None:
            return None
        domains = list(listing.domains.prefetch_related(None))
    else:
        domains = list(cleaned["ids"])
    limit = MAX_SELECTION[cleaned["action"]]
    if len(domains) > limit:
        form.add_error(
            None, f"{len(domains)} domains: at most {limit:,} at once; narrow the filters."
        )
        return None
    if not domains:
        form.add_error(None, "No domain matches these filters.")
        return None
    return domains


def _apply(request, action: str, domains: list, back: str):
    if action == "delete":
        count = domains_delete(domains=domains)
        messages.success(request, f"Deleted {count} domain(s) and their data.")
    else:
        count = domains_set_active(domains=domains, is_active=action == "resume")
        verb = "Resumed" if action == "resume" else "Paused"
        messages.success(request, f"{verb} {count} domain(s).")
    return redirect(_back_url(request.access.organization.slug, back))


def _back_url(slug: str, back: str) -> str:
    """The domain list with the filters the selection was made under (only a query string is
    taken from the form, so the redirect never leaves the list)."""
    query = QueryDict(back.lstrip("?")).urlencode()
    url = reverse("domains", kwargs={"slug": slug})
    return f"{url}?{query}" if query else url
