"""The API tokens page of an organization: create (shown once) and revoke."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import services
from accounts.models import Role
from accounts.selectors import api_token_list
from web.decorators import org_page
from web.forms import TokenCreateForm


@never_cache  # the answer to a create shows the new token
@org_page(view_role=Role.ADMIN, post_role=Role.ADMIN)
def tokens(request):
    access = request.access
    form = TokenCreateForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_days"]
        _, new_token = services.api_token_create(
            organization=access.organization,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            expires_at=timezone.now() + timedelta(days=days) if days else None,
            created_by=request.user,
        )
        form = TokenCreateForm()
    return render(
        request,
        "web/tokens.html",
        {
            "access": access,
            "org": access.organization,
            "tokens": _with_usability(api_token_list(organization=access.organization)),
            "form": form,
            "new_token": new_token,
        },
    )


def _with_usability(tokens) -> list:
    """Each token with ``usable`` set by the same rule authentication applies."""
    now = timezone.now()
    rows = list(tokens)
    for token in rows:
        token.usable = token.is_usable(now)
    return rows


@require_POST
@org_page(post_role=Role.ADMIN)
def token_revoke(request, token_id: int):
    token = get_object_or_404(api_token_list(organization=request.access.organization), pk=token_id)
    services.api_token_revoke(token=token)
    messages.success(request, f"Token {token.name} ({token.prefix}…) revoked.")
    return redirect("tokens", slug=request.access.organization.slug)
