"""Web UI entry pages: the dashboard lists the organizations a user reaches."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from accounts.selectors import organizations_for_user


@login_required
def dashboard(request):
    organizations = list(organizations_for_user(user=request.user))
    if len(organizations) == 1:
        return redirect("organization", slug=organizations[0].slug)
    return render(request, "tlsmon/dashboard.html", {"organizations": organizations})


def healthz(request) -> HttpResponse:
    """Liveness for load balancers; exempt from the HTTPS redirect."""
    return JsonResponse({"status": "ok"})
