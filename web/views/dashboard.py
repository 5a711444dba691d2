"""The entry page: the organizations a user reaches (straight to it when there is one)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts.selectors import organizations_for_user


@login_required
def dashboard(request):
    organizations = list(organizations_for_user(user=request.user))
    if len(organizations) == 1:
        return redirect("organization", slug=organizations[0].slug)
    return render(request, "web/dashboard.html", {"organizations": organizations})
