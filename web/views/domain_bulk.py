"""Bulk pause, resume and delete from the domain list: a confirmation page that lists what
will change, then the change on the confirming POST (members and above; viewers get 403)."""

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


@org_page(view_role=Role.MEMBER, post_role=Role.MEMBER)
def domain_bulk(request):
    access = request.access
    data = request.POST if request.method == "POST" else request.GET
    form = DomainBulkForm(data or None, domains=domain_list(scope=access.scope))
    valid = form.is_valid()
    if valid and request.method == "POST" and request.POST.get("confirm") == "yes":
        return _apply(request, form.cleaned_data)
    selected = form.cleaned_data.get("ids") if valid else []
    context = {
        "access": access,
        "org": access.organization,
        "form": form,
        "selected": selected,
        "action": form.cleaned_data.get("action") if valid else None,
        "action_label": ACTIONS.get(form.cleaned_data.get("action", "")) if valid else None,
        "back_url": _back_url(access.organization.slug, data.get("back", "")),
    }
    return render(
        request, "web/domain_bulk.html", context, status=200 if valid or not data else 400
    )


def _apply(request, cleaned: dict):
    domains, action = cleaned["ids"], cleaned["action"]
    if action == "delete":
        count = domains_delete(domains=domains)
        messages.success(request, f"Deleted {count} domain(s) and their data.")
    else:
        count = domains_set_active(domains=domains, is_active=action == "resume")
        verb = "Resumed" if action == "resume" else "Paused"
        messages.success(request, f"{verb} {count} domain(s).")
    return redirect(_back_url(request.access.organization.slug, cleaned.get("back", "")))


def _back_url(slug: str, back: str) -> str:
    """The domain list with the filters the selection was made under (only a query string is
    taken from the form, so the redirect never leaves the list)."""
    query = QueryDict(back.lstrip("?")).urlencode()
    url = reverse("domain-list", kwargs={"slug": slug})
    return f"{url}?{query}" if query else url
