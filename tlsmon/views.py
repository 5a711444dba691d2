"""Web UI pages: the dashboard lists a user's organizations and their domains."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from accounts.selectors import domain_list, organizations_for_user, web_access_for


@login_required
def dashboard(request):
    organizations = list(organizations_for_user(user=request.user))
    if len(organizations) == 1:
        return redirect("organization", slug=organizations[0].slug)
    return render(request, "tlsmon/dashboard.html", {"organizations": organizations})


@login_required
def organization(request, slug: str):
    access = web_access_for(user=request.user, slug=slug)
    return render(
        request,
        "tlsmon/organization.html",
        {"access": access, "org": access.organization, "domains": domain_list(scope=access.scope)},
    )


def healthz(request) -> HttpResponse:
    """Liveness for load balancers; exempt from the HTTPS redirect."""
    return JsonResponse({"status": "ok"})
