"""Invitations: who may invite to which role, and when a link stops working."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.invitations import (
    InvitationUnusable,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_revoke,
    invitation_send,
)
from accounts.models import Invitation, Membership, Role
from accounts.tokens import token_digest
from tests.factories import MembershipFactory, UserFactory
from tests.mail import body_text

pytestmark = pytest.mark.django_db


def _invite(org, email="colleague@example.com", role=Role.MEMBER, acting_role=Role.OWNER, **kw):
    return invitation_create(
        organization=org, email=email, role=role, invited_by=None, acting_role=acting_role, **kw
    )


def _reason(token, **kwargs) -> str:
    with pytest.raises(InvitationUnusable) as caught:
        invitation_for_token(token, **kwargs)
    return caught.value.reason


def test_only_the_digest_of_the_link_secret_is_stored(org):
    invitation, token = _invite(org)
    assert invitation.digest == token_digest(token)
    [row] = Invitation.objects.filter(pk=invitation.pk).values_list()
    assert not any(token in str(value) for value in row)


def test_the_address_is_stored_lower_case_and_expires_after_the_setting(org, settings):
    settings.TLSMON_INVITATION_DAYS = 3
    now = timezone.now()
    invitation, _ = _invite(org, email="  Colleague@Example.COM ", now=now)
    assert invitation.email == "colleague@example.com"
    assert invitation.expires_at == now + timedelta(days=3)


def test_an_admin_cannot_invite_an_owner(org):
    with pytest.raises(ValidationError) as caught:
        _invite(org, role=Role.OWNER, acting_role=Role.ADMIN)
    assert "role" in caught.value.message_dict
    assert not Invitation.objects.exists()


def test_an_admin_can_invite_another_admin(org):
    invitation, _ = _invite(org, role=Role.ADMIN, acting_role=Role.ADMIN)
    assert invitation.role == Role.ADMIN


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_members_and_viewers_cannot_invite(org, role):
    with pytest.raises(PermissionDenied):
        _invite(org, role=Role.VIEWER, acting_role=role)


def test_an_existing_member_cannot_be_invited_again(org):
    member = MembershipFactory(organization=org).user
    with pytest.raises(ValidationError) as caught:
        _invite(org, email=member.email.upper())
    assert "already a member" in caught.value.message_dict["email"][0]


def test_the_invited_user_becomes_a_member_with_the_role(org):
    _, token = _invite(org, role=Role.VIEWER)
    user = UserFactory(email="colleague@example.com")
    membership = invitation_accept(token=token, user=user)
    assert (membership.organization, membership.role) == (org, Role.VIEWER)


def test_a_link_works_once(org):
    _, token = _invite(org)
    invitation_accept(token=token, user=UserFactory(email="colleague@example.com"))
    assert _reason(token) == "accepted"


def test_another_address_cannot_accept_a_forwarded_link(org):
    _, token = _invite(org)
    with pytest.raises(InvitationUnusable) as caught:
        invitation_accept(token=token, user=UserFactory(email="someone.else@example.com"))
    assert caught.value.reason == "wrong_email"
    assert not Membership.objects.filter(organization=org).exists()
    invitation_for_token(token)  # still usable by the invited address


def test_an_expired_link_does_not_work(org, settings):
    settings.TLSMON_INVITATION_DAYS = 7
    created = timezone.now() - timedelta(days=7, seconds=1)
    _, token = _invite(org, now=created)
    assert _reason(token) == "expired"
    with pytest.raises(InvitationUnusable):
        invitation_accept(token=token, user=UserFactory(email="colleague@example.com"))


def test_a_link_works_until_it_expires(org):
    created = timezone.now()
    _, token = _invite(org, now=created)
    assert invitation_for_token(token, now=created + timedelta(days=6, hours=23))


def test_a_revoked_link_does_not_work(org):
    invitation, token = _invite(org)
    invitation_revoke(invitation=invitation, acting_role=Role.ADMIN)
    assert _reason(token) == "revoked"


def test_a_viewer_cannot_revoke(org):
    invitation, _ = _invite(org)
    with pytest.raises(PermissionDenied):
        invitation_revoke(invitation=invitation, acting_role=Role.VIEWER)


def test_an_unknown_link_is_unknown(org):
    _invite(org)
    assert _reason("not-a-real-token") == "unknown"


def test_inviting_the_same_address_again_replaces_the_first_link(org):
    _, first = _invite(org)
    _, second = _invite(org)
    assert _reason(first) == "revoked"
    assert invitation_for_token(second)


def test_a_member_accepting_a_lower_role_keeps_their_role(org):
    user = UserFactory(email="colleague@example.com")
    _, token = _invite(org, role=Role.VIEWER)
    MembershipFactory(organization=org, user=user, role=Role.ADMIN)
    assert invitation_accept(token=token, user=user).role == Role.ADMIN


def test_the_email_has_a_text_and_an_html_part_with_the_link(org, settings, smtp_server):
    settings.TLSMON_BASE_URL = "https://tlsmon.example.net"
    inviter = MembershipFactory(organization=org, role=Role.OWNER).user
    invitation, token = invitation_create(
        organization=org,
        email="colleague@example.com",
        role=Role.ADMIN,
        invited_by=inviter,
        acting_role=Role.OWNER,
    )
    invitation_send(invitation=invitation, token=token)
    [message] = smtp_server.wait_for(1)
    assert smtp_server.to("colleague@example.com") == [message]
    assert message["Subject"] == f"You are invited to {org.name} on TLSMon"
    link = f"https://tlsmon.example.net/invitations/{token}/"
    text, html = body_text(message, "plain"), body_text(message, "html")
    assert link in text and f'href="{link}"' in html
    assert f"{inviter.email} invited you to join {org.name} on TLSMon as Admin" in text
