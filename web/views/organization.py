"""The organization page: its dashboard (``web.views.org_dashboard``) on GET; the older
add-domains form still posts here until onboarding has its own page."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from accounts import services
from accounts.models import Role
from accounts.selectors import domain_list, organization_choices
from web.decorators import org_page
from web.forms import DomainAddForm
from web.views.org_dashboard import org_dashboard


@org_page(post_role=Role.MEMBER)
def organization(request):
    if request.method != "POST":
        return org_dashboard(request)
    access = request.access
    form = DomainAddForm(
        request.POST or None,
        organizations=organization_choices(scope=access.scope),
        initial={"organization": access.organization},
    )
    if request.method == "POST" and form.is_valid():
        result = services.domains_bulk_create(
            organization=form.cleaned_data["organization"] or access.organization,
            names=form.cleaned_data["names"],
            tags=form.cleaned_data["tags"],
        )
        messages.success(
            request, f"{result.count('created')} added, {result.count('present')} already present."
        )
        for row in result.rows:
            if row.status == "invalid":
                messages.error(request, f"{row.input}: {row.error}")
        return redirect("organization", slug=access.organization.slug)
    return render(
        request,
        "web/organization.html",
        {
            "access": access,
            "org": access.organization,
            "domains": domain_list(scope=access.scope),
            "form": form,
            "can_add": access.can(Role.MEMBER),
            "can_manage_tokens": access.can(Role.ADMIN),
        },
    )
