"""Onboarding pages: paste domains into an organization (an MSP picks the client), watch the
new domains' first scans finish, and copy the records to publish; create a client first.

Progress without a JS build: the result page carries a few lines of inline JS that poll
``domain-add-status`` (JSON) every two seconds, update the "n of m scans finished" line, and
reload the page once when the last scan has finished, so the verdicts and the final records
appear. Without JS a ``<noscript>`` meta refresh reloads the whole page every five seconds
while scans run. Nothing refreshes once every scan has finished.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from accounts import services
from accounts.models import Role
from accounts.selectors import organization_choices
from web.decorators import org_page
from web.forms import ClientCreateForm, OnboardingForm
from web.onboarding import (
    batch_domains,
    batch_load,
    batch_progress,
    batch_rescan,
    batch_save,
    domains_onboard,
)


def _choices(access):
    """The organization itself first, then its clients (for an MSP admin)."""
    orgs = list(organization_choices(scope=access.scope))
    return sorted(orgs, key=lambda o: (o.pk != access.organization.pk, o.name.lower()))


@org_page(post_role=Role.MEMBER)
def domain_add(request):
    access = request.access
    choices = organization_choices(scope=access.scope)
    wanted = choices.filter(slug=request.GET.get("organization")).first()
    form = OnboardingForm(
        request.POST or None,
        organizations=choices,
        max_rows=settings.TLSMON_BULK_MAX_ROWS,
        initial={"organization": wanted or access.organization},
    )
    form.fields["organization"].choices = [(o.slug, o.name) for o in _choices(access)]
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["organization"] or access.organization
        try:
            batch = domains_onboard(
                organization=target,
                rows=form.cleaned_data["names"],
                tags=form.cleaned_data["tags"],
                reach=access.scope,
            )
        except ValidationError as exc:
            field = "tags" if "tags" in getattr(exc, "error_dict", {}) else None
            form.add_error(field, exc.messages)
        else:
            batch_id = batch_save(request.session, batch)
            return redirect("domain-add-result", slug=target.slug, batch=batch_id)
    context = {
        "access": access,
        "org": access.organization,
        "form": form,
        "can_add": access.can(Role.MEMBER),
        "can_add_client": not access.organization.is_client and access.can(Role.ADMIN),
    }
    return render(request, "web/domain_add.html", context)


def _batch_or_404(request, batch: str) -> dict:
    found = batch_load(request.session, batch, request.access.organization)
    if found is None:
        raise Http404("this list of added domains is not in your session")
    return found


@never_cache  # the records to publish carry the report token
@org_page(post_role=Role.MEMBER)
def domain_add_result(request, batch: str):
    access, found = request.access, _batch_or_404(request, batch)
    if request.method == "POST":  # "check again"
        fresh, recent = batch_rescan(found, access.scope)
        batch_save(request.session, found, batch)
        note = f" ({recent} checked under a minute ago: that result stands)" if recent else ""
        messages.success(request, f"Checking {fresh} domain(s) again{note}.")
        return redirect("domain-add-result", slug=access.organization.slug, batch=batch)
    rows = found["rows"]
    context = {
        "access": access,
        "org": access.organization,
        "rows": rows,
        "counts": {
            s: sum(r["status"] == s for r in rows) for s in ("created", "present", "invalid")
        },
        "domains": batch_domains(found, access.scope),
        "progress": batch_progress(found, access.scope),
        "status_url": reverse("domain-add-status", args=[access.organization.slug, batch]),
        "can_scan": access.can(Role.MEMBER),
    }
    return render(request, "web/domain_add_result.html", context)


@never_cache
@org_page()
def domain_add_status(request, batch: str):
    """``{"total", "finished", "pending"}`` of the batch's scans, polled by the result page."""
    return JsonResponse(batch_progress(_batch_or_404(request, batch), request.access.scope))


@org_page(view_role=Role.ADMIN, post_role=Role.ADMIN)
def client_add(request):
    """An MSP admin creates a client organization, then adds its domains."""
    access = request.access
    if access.organization.is_client:
        raise PermissionDenied("a client organization cannot have clients of its own")
    initial = {"scan_interval_hours": access.organization.scan_interval_hours}
    form = ClientCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.organization_create(
                managed_by=access.organization, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"Client {client.name} created. Now add its domains.")
            url = reverse("domain-add", args=[access.organization.slug])
            return redirect(f"{url}?organization={client.slug}")
    context = {"access": access, "org": access.organization, "form": form}
    return render(request, "web/client_add.html", context)
