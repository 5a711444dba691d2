"""The page an invitation link opens: who invited you where, then sign up, log in or accept."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.invitations import InvitationUnusable, invitation_accept, invitation_for_token
from web.account_forms import INVITATION_SESSION_KEY


def _unusable(request, exc: InvitationUnusable):
    status = 403 if exc.reason == "wrong_email" else 410 if exc.invitation else 404
    if exc.reason != "wrong_email":
        request.session.pop(INVITATION_SESSION_KEY, None)
    context = {"reason": exc.reason, "invitation": exc.invitation}
    return render(request, "web/invitation_unusable.html", context, status=status)


@never_cache
def invitation(request, token: str):
    """Anyone with the link sees the offer; a signed-in user with the invited address accepts
    (``invitation_accept``: POST)."""
    try:
        offer = invitation_for_token(token)
    except InvitationUnusable as exc:
        return _unusable(request, exc)
    # Remembered so that signing up from here joins this organization (web.account_forms).
    request.session[INVITATION_SESSION_KEY] = token
    if request.user.is_authenticated and request.user.email.lower() != offer.email:
        return _unusable(request, InvitationUnusable("wrong_email", offer))
    return render(request, "web/invitation.html", {"invitation": offer, "token": token})


@require_POST
@login_required
def invitation_accept_view(request, token: str):
    try:
        membership = invitation_accept(token=token, user=request.user)
    except InvitationUnusable as exc:
        return _unusable(request, exc)
    request.session.pop(INVITATION_SESSION_KEY, None)
    organization = membership.organization
    messages.success(request, f"You joined {organization.name} as {membership.get_role_display()}.")
    return redirect("organization", slug=organization.slug)
