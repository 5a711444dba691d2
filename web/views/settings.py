"""The settings page of an organization: name and scan interval, the reporting addresses and
the record that names them, API tokens (created and shown once, revoked after a confirmation).

Everyone in the organization reads it; admins and owners change it (others get 403 on POST).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts import services
from accounts.models import Role
from accounts.selectors import api_token_list
from scans.tools import generate_record
from web.decorators import org_page
from web.forms import OrganizationSettingsForm, TokenCreateForm


@never_cache  # the answer to a token create shows the token; the addresses carry the secret
@org_page(post_role=Role.ADMIN)
def settings_page(request):
    access = request.access
    org = access.organization
    action = request.POST.get("action")
    org_form = OrganizationSettingsForm(
        request.POST if action == "organization" else None,
        initial={"name": org.name, "scan_interval_hours": org.scan_interval_hours},
    )
    token_form = TokenCreateForm(request.POST if action == "token" else None)
    new_token = None
    if action == "organization" and org_form.is_valid():
        try:
            services.organization_update(organization=org, **org_form.cleaned_data)
        except ValidationError as exc:
            org_form.add_error(None, exc.messages)
        else:
            messages.success(request, "Settings saved.")
            return redirect("settings", slug=org.slug)
    if action == "token" and token_form.is_valid():
        new_token = _token_create(request, token_form.cleaned_data)
        token_form = TokenCreateForm()
    return render(request, "web/settings.html", _context(access, org_form, token_form, new_token))


def _token_create(request, data: dict) -> str:
    days = data["expires_days"]
    _, plaintext = services.api_token_create(
        organization=request.access.organization,
        name=data["name"],
        scope=data["scope"],
        expires_at=timezone.now() + timedelta(days=days) if days else None,
        created_by=request.user,
    )
    return plaintext


def _context(access, org_form, token_form, new_token) -> dict:
    org = access.organization
    return {
        "access": access,
        "org": org,
        "org_form": org_form,
        "token_form": token_form,
        "new_token": new_token,
        "tokens": _with_usability(api_token_list(organization=org)),
        "can_change": access.can(Role.ADMIN),
        "https_offered": org.report_https_url in org.report_destinations,
        "record": generate_record(destinations=list(org.report_destinations))["record"],
    }


def _with_usability(tokens) -> list:
    """Each token with ``usable`` set by the same rule authentication applies."""
    now = timezone.now()
    rows = list(tokens)
    for token in rows:
        token.usable = token.is_usable(now)
    return rows


@org_page(view_role=Role.ADMIN, post_role=Role.ADMIN)
def token_revoke(request, token_id: int):
    """GET asks for confirmation (what stops working, last use); POST revokes."""
    org = request.access.organization
    token = get_object_or_404(api_token_list(organization=org), pk=token_id)
    if request.method == "POST":
        services.api_token_revoke(token=token)
        messages.success(request, f"Token {token.name} ({token.prefix}…) revoked.")
        return redirect(reverse("settings", args=[org.slug]) + "#tokens")
    context = {"access": request.access, "org": org, "token": token}
    return render(request, "web/token_revoke.html", context)
