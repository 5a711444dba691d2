"""Invitations: an owner or admin offers someone a role by email; the link's holder accepts.

The rules live here, once: only owners and admins invite, never to a role above their own; a
link works once, for ``TLSMON_INVITATION_DAYS``, until revoked; only a user signed in with the
invited address accepts it. The web pages only call these functions.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    ROLE_RANK,
    Invitation,
    Membership,
    Organization,
    Role,
    User,
    role_at_least,
)
from accounts.tokens import generate_invitation_token, token_digest


class InvitationUnusable(Exception):
    """The link cannot be used; ``reason`` is ``unknown``, ``expired``, ``revoked``,
    ``accepted`` or ``wrong_email`` (each gets its own plain page)."""

    def __init__(self, reason: str, invitation: Invitation | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


def check_can_grant(*, acting_role: str, role: str) -> None:
    """Owners and admins manage members, and never grant a role above their own."""
    if not role_at_least(acting_role, Role.ADMIN):
        raise PermissionDenied("only owners and admins manage members")
    if ROLE_RANK[Role(role)] > ROLE_RANK[Role(acting_role)]:
        raise ValidationError(
            {"role": f"you can grant at most your own role ({Role(acting_role).label})"}
        )


@transaction.atomic
def invitation_create(
    *,
    organization: Organization,
    email: str,
    role: str,
    invited_by: User | None,
    acting_role: str,
    now: datetime | None = None,
) -> tuple[Invitation, str]:
    """A new pending invitation and its link secret (the plaintext is never stored).

    Inviting an address that already has a pending invitation here replaces that one, so the
    newest email is the only link that works.
    """
    check_can_grant(acting_role=acting_role, role=role)
    email = (email or "").strip().lower()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of {organization.name}"})
    now = now or timezone.now()
    pending = Invitation.objects.filter(
        organization=organization, email=email, accepted_at=None, revoked_at=None
    )
    pending.update(revoked_at=now)
    plaintext, digest = generate_invitation_token()
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        role=Role(role),
        digest=digest,
        invited_by=invited_by,
        created_at=now,
        expires_at=now + timedelta(days=settings.TLSMON_INVITATION_DAYS),
    )
    return invitation, plaintext


def invitation_url(token: str) -> str:
    """The absolute link in the email, under ``TLSMON_BASE_URL``."""
    return settings.TLSMON_BASE_URL + reverse("invitation", kwargs={"token": token})


def invitation_send(*, invitation: Invitation, token: str) -> None:
    """Email the link (text and HTML) through Django's mail backend; raises if it fails."""
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "inviter": invitation.invited_by,
        "role": Role(invitation.role).label,
        "url": invitation_url(token),
        "days": settings.TLSMON_INVITATION_DAYS,
    }
    subject = f"You are invited to {invitation.organization.name} on TLSMon"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("accounts/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("accounts/email/invitation.html", context), "text/html"
    )
    message.send()


def invitation_for_token(token: str, *, now: datetime | None = None) -> Invitation:
    """The usable invitation behind a link, or ``InvitationUnusable`` saying why not."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(digest=token_digest(token or ""))
        .first()
    )
    if invitation is None:
        raise InvitationUnusable("unknown")
    state = invitation.state(now or timezone.now())
    if state != "pending":
        raise InvitationUnusable(state, invitation)
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User, now: datetime | None = None) -> Membership:
    """Make ``user`` a member with the invited role; the link is used up.

    Only the invited address may accept: the link could be forwarded. A user who is already a
    member keeps the higher of their role and the invited one.
    """
    now = now or timezone.now()
    invitation = invitation_for_token(token, now=now)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state(now) != "pending":  # accepted or revoked meanwhile
        raise InvitationUnusable(invitation.state(now), invitation)
    if user.email.lower() != invitation.email:
        raise InvitationUnusable("wrong_email", invitation)
    membership, created = Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    if not created and ROLE_RANK[Role(invitation.role)] > ROLE_RANK[Role(membership.role)]:
        membership.role = invitation.role
        membership.save(update_fields=["role"])
    invitation.accepted_at, invitation.accepted_by = now, user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def invitation_revoke(
    *, invitation: Invitation, acting_role: str, now: datetime | None = None
) -> Invitation:
    """The link stops working; an accepted invitation stays as it was (revoke the member)."""
    if not role_at_least(acting_role, Role.ADMIN):
        raise PermissionDenied("only owners and admins manage members")
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = now or timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation
