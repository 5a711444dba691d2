"""The members page of an organization: who has which role, pending invitations, inviting,
changing roles and removing members (owners and admins; everyone else reads)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import invitations
from accounts import members as member_services
from accounts.models import Role
from accounts.selectors import invitation_list_pending, member_list
from web.decorators import org_page
from web.forms import InviteForm, RoleForm


def _page(request, *, form: InviteForm | None = None, role_errors: dict | None = None, status=200):
    access = request.access
    org = access.organization
    can_manage = access.can(Role.ADMIN)
    rows = list(member_list(organization=org))
    owners = sum(row.role == Role.OWNER for row in rows)
    for row in rows:
        row.role_form = RoleForm(initial={"role": row.role}, acting_role=access.role)
        row.can_change = can_manage and access.can(row.role)
        # Display only: accounts.members refuses it anyway.
        row.last_owner = row.role == Role.OWNER and owners == 1
        row.error = (role_errors or {}).get(row.pk)
    context = {
        "org": org,
        "access": access,
        "can_manage": can_manage,
        "members": rows,
        "invitations": invitation_list_pending(organization=org, now=timezone.now())
        .select_related("invited_by")
        .order_by("-created_at", "-id"),
        "form": form or InviteForm(acting_role=access.role),
    }
    return render(request, "web/members.html", context, status=status)


@org_page(view_role=Role.VIEWER, post_role=Role.ADMIN)
def members(request):
    """GET lists; POST invites (the form's errors are shown beside its fields)."""
    if request.method != "POST":
        return _page(request)
    access = request.access
    form = InviteForm(request.POST, acting_role=access.role)
    if form.is_valid():
        try:
            invitation, token = invitations.invitation_create(
                organization=access.organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                acting_role=access.role,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            _send(request, invitation, token)
            return redirect("members", slug=access.organization.slug)
    return _page(request, form=form, status=400)


def _send(request, invitation, token: str) -> None:
    try:
        invitations.invitation_send(invitation=invitation, token=token)
    except OSError as exc:  # smtplib errors are OSErrors too
        messages.error(
            request,
            f"The invitation for {invitation.email} is saved, but the email could not be sent "
            f"({exc}). Send them this link yourself: {invitations.invitation_url(token)}",
        )
    else:
        messages.success(request, f"Invitation sent to {invitation.email}.")


@require_POST
@org_page(post_role=Role.ADMIN)
def member_role(request, membership_id: int):
    access = request.access
    membership = get_object_or_404(member_list(organization=access.organization), pk=membership_id)
    form = RoleForm(request.POST, acting_role=access.role)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["role"])
        member_services.member_set_role(
            membership=membership, role=form.cleaned_data["role"], acting_role=access.role
        )
    except ValidationError as exc:
        return _page(request, role_errors={membership.pk: " ".join(exc.messages)}, status=400)
    messages.success(request, f"{membership.user.email} is now {membership.get_role_display()}.")
    return redirect("members", slug=access.organization.slug)


@org_page(view_role=Role.ADMIN, post_role=Role.ADMIN)
def member_remove(request, membership_id: int):
    """GET asks for confirmation; POST removes."""
    access = request.access
    membership = get_object_or_404(member_list(organization=access.organization), pk=membership_id)
    error = None
    if request.method == "POST":
        try:
            member_services.member_remove(membership=membership, acting_role=access.role)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"{membership.user.email} was removed.")
            return redirect("members", slug=access.organization.slug)
    return render(
        request,
        "web/confirm.html",
        {
            "org": access.organization,
            "title": f"Remove {membership.user.email}?",
            "question": f"{membership.user.email} ({membership.get_role_display()}) loses "
            f"access to {access.organization.name}. Their user account stays.",
            "button": "Remove member",
            "error": error,
        },
        status=400 if error else 200,
    )


@org_page(view_role=Role.ADMIN, post_role=Role.ADMIN)
def invitation_revoke(request, invitation_id: int):
    """GET asks for confirmation; POST revokes (the link stops working)."""
    access = request.access
    pending = invitation_list_pending(organization=access.organization, now=timezone.now())
    invitation = get_object_or_404(pending, pk=invitation_id)
    if request.method == "POST":
        invitations.invitation_revoke(invitation=invitation, acting_role=access.role)
        messages.success(request, f"The invitation for {invitation.email} was revoked.")
        return redirect("members", slug=access.organization.slug)
    return render(
        request,
        "web/confirm.html",
        {
            "org": access.organization,
            "title": f"Revoke the invitation for {invitation.email}?",
            "question": f"The link sent to {invitation.email} stops working. You can invite "
            "them again later.",
            "button": "Revoke invitation",
        },
    )
