"""A member's own notification preferences for one organization, and the signed unsubscribe
link of digest emails (works without a login; RFC 8058 one-click POST)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from accounts.models import Role
from notify.preferences import membership_of, preference_for, preference_update, unsubscribe_target
from notify.preferences import unsubscribe as unsubscribe_service
from web.decorators import org_page
from web.notification_forms import NotificationPreferenceForm


# Viewers too: these are the member's own emails, not the organization's data.
@never_cache
@org_page(view_role=Role.VIEWER, post_role=Role.VIEWER)
def notification_settings(request):
    access = request.access
    membership = membership_of(user=request.user, organization=access.organization)
    form = None
    if membership is not None:
        preference = preference_for(membership)
        form = NotificationPreferenceForm(request.POST or None, instance=preference)
        if request.method == "POST" and form.is_valid():
            preference_update(preference=preference, **form.cleaned_data)
            messages.success(request, "Notification preferences saved.")
            return redirect("notification-settings", slug=access.organization.slug)
    return render(
        request,
        "web/notification_settings.html",
        {"access": access, "org": access.organization, "form": form},
    )


@csrf_exempt  # the signed token is the credential; mail clients POST without a session
@never_cache
def unsubscribe(request, token: str):
    target = unsubscribe_target(token)
    if target is None:
        return render(request, "web/unsubscribe.html", {"invalid": True}, status=404)
    membership, kind = target
    if request.method == "POST":
        unsubscribe_service(membership=membership, kind=kind)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("unsubscribed\n", content_type="text/plain")
        return render(
            request, "web/unsubscribe.html", {"done": True, "membership": membership, "kind": kind}
        )
    return render(request, "web/unsubscribe.html", {"membership": membership, "kind": kind})
