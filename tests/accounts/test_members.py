"""Role changes and removals: nobody acts above their role, the last owner stays."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.members import member_remove, member_set_role
from accounts.models import Membership, Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_last_owner_cannot_be_demoted(org):
    owner = MembershipFactory(organization=org, role=Role.OWNER)
    with pytest.raises(ValidationError) as caught:
        member_set_role(membership=owner, role=Role.ADMIN, acting_role=Role.OWNER)
    assert "last owner" in caught.value.message_dict["role"][0]
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_the_last_owner_cannot_be_removed(org):
    owner = MembershipFactory(organization=org, role=Role.OWNER)
    with pytest.raises(ValidationError):
        member_remove(membership=owner, acting_role=Role.OWNER)
    assert Membership.objects.filter(pk=owner.pk).exists()


def test_one_of_two_owners_can_step_down(org):
    first = MembershipFactory(organization=org, role=Role.OWNER)
    MembershipFactory(organization=org, role=Role.OWNER)
    member_set_role(membership=first, role=Role.MEMBER, acting_role=Role.OWNER)
    first.refresh_from_db()
    assert first.role == Role.MEMBER


def test_an_owner_of_another_organization_does_not_count(org, other_org):
    owner = MembershipFactory(organization=org, role=Role.OWNER)
    MembershipFactory(organization=other_org, role=Role.OWNER)
    with pytest.raises(ValidationError):
        member_remove(membership=owner, acting_role=Role.OWNER)


def test_an_admin_cannot_make_an_owner(org):
    member = MembershipFactory(organization=org, role=Role.MEMBER)
    with pytest.raises(ValidationError):
        member_set_role(membership=member, role=Role.OWNER, acting_role=Role.ADMIN)


def test_an_admin_cannot_change_or_remove_an_owner(org):
    MembershipFactory(organization=org, role=Role.OWNER)
    owner = MembershipFactory(organization=org, role=Role.OWNER)
    with pytest.raises(PermissionDenied):
        member_set_role(membership=owner, role=Role.VIEWER, acting_role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        member_remove(membership=owner, acting_role=Role.ADMIN)


def test_an_admin_promotes_a_viewer_to_admin(org):
    viewer = MembershipFactory(organization=org, role=Role.VIEWER)
    member_set_role(membership=viewer, role=Role.ADMIN, acting_role=Role.ADMIN)
    viewer.refresh_from_db()
    assert viewer.role == Role.ADMIN


@pytest.mark.parametrize("acting_role", [Role.MEMBER, Role.VIEWER])
def test_members_and_viewers_change_nobody(org, acting_role):
    viewer = MembershipFactory(organization=org, role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        member_set_role(membership=viewer, role=Role.VIEWER, acting_role=acting_role)
    with pytest.raises(PermissionDenied):
        member_remove(membership=viewer, acting_role=acting_role)
