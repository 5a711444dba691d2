"""Changing a member's role and removing a member, with the rules that keep an organization
manageable: only owners and admins do it, nobody acts above their own role, and the last
owner can be neither demoted nor removed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.invitations import check_can_grant
from accounts.models import ROLE_RANK, Membership, Role


def _check_can_manage(*, membership: Membership, acting_role: str) -> None:
    if ROLE_RANK[Role(membership.role)] > ROLE_RANK[Role(acting_role)]:
        raise PermissionDenied(f"only an owner can change an {Role(membership.role).label}")


def _is_last_owner(membership: Membership) -> bool:
    """Locks the organization's owner rows, so two requests cannot each remove one of two."""
    owners = list(
        Membership.objects.select_for_update()
        .filter(organization_id=membership.organization_id, role=Role.OWNER)
        .values_list("pk", flat=True)
    )
    return owners == [membership.pk]


@transaction.atomic
def member_set_role(*, membership: Membership, role: str, acting_role: str) -> Membership:
    """Give a member another role."""
    check_can_grant(acting_role=acting_role, role=role)
    _check_can_manage(membership=membership, acting_role=acting_role)
    if role != Role.OWNER and membership.role == Role.OWNER and _is_last_owner(membership):
        raise ValidationError(
            {"role": "the organization's last owner cannot be demoted; make another owner first"}
        )
    membership.role = Role(role)
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_remove(*, membership: Membership, acting_role: str) -> None:
    """Take a member out of the organization (their user account stays)."""
    check_can_grant(acting_role=acting_role, role=Role.VIEWER)
    _check_can_manage(membership=membership, acting_role=acting_role)
    if membership.role == Role.OWNER and _is_last_owner(membership):
        raise ValidationError(
            "the organization's last owner cannot be removed; make another owner first"
        )
    membership.delete()
