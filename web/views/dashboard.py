"""The entry page: straight to the dashboard of the user's organization, or a list when they
belong to several (an MSP's clients do not count: the MSP dashboard covers them)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts.selectors import organizations_for_user


def _top_level(organizations: list) -> list:
    """The organizations not reached through another one in the list (an MSP, not its
    clients), each with ``listed_clients`` and ``total_domains`` (its own and theirs)."""
    listed = {o.pk: o for o in organizations}
    top = [o for o in organizations if o.managed_by_id not in listed]
    for organization in top:
        clients = [o for o in organizations if o.managed_by_id == organization.pk]
        organization.total_domains = organization.domain_count + sum(
            c.domain_count for c in clients
        )
        organization.listed_clients = clients
    return top


@login_required
def dashboard(request):
    organizations = _top_level(list(organizations_for_user(user=request.user)))
    if len(organizations) == 1:
        return redirect("organization", slug=organizations[0].slug)
    return render(request, "web/dashboard.html", {"organizations": organizations})
