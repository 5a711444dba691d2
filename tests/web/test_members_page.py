"""The members page: owners and admins invite, change roles and remove; others only read."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.invitations import invitation_create
from accounts.models import Invitation, Membership, Role
from tests.factories import MembershipFactory
from tests.mail import body_text
from tests.web.helpers import login

pytestmark = pytest.mark.django_db


def _url(org, *parts) -> str:
    return "/".join([f"/o/{org.slug}/members", *map(str, parts)]) + "/"


def test_members_are_listed_with_role_and_joined_date(client, org):
    owner = login(client, org, Role.OWNER)
    viewer = MembershipFactory(organization=org, role=Role.VIEWER)
    html = client.get(_url(org)).content.decode()
    table = re.search(r'<table id="members".*?</table>', html, re.S).group(0)
    assert owner.email in table and viewer.user.email in table
    assert viewer.created_at.strftime("%Y-%m-%d") in table


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MEMBER])
def test_viewers_and_members_read_only(client, org, role):
    login(client, org, role)
    other = MembershipFactory(organization=org, role=Role.VIEWER)
    html = client.get(_url(org)).content.decode()
    assert 'id="read-only"' in html
    assert 'id="invite"' not in html and "<select" not in html and "Remove" not in html
    assert client.post(_url(org), {"email": "x@example.com", "role": "viewer"}).status_code == 403
    assert client.post(_url(org, other.pk, "role"), {"role": "admin"}).status_code == 403
    assert client.post(_url(org, other.pk, "remove")).status_code == 403
    assert client.get(_url(org, other.pk, "remove")).status_code == 403
    other.refresh_from_db()
    assert other.role == Role.VIEWER and not Invitation.objects.exists()


def test_an_admin_invites_and_the_email_arrives(client, org, smtp_server):
    admin = login(client, org, Role.ADMIN)
    response = client.post(_url(org), {"email": "Colleague@Example.com", "role": "member"})
    assert response.status_code == 302
    [message] = smtp_server.wait_for(1)
    assert smtp_server.to("colleague@example.com") == [message]
    assert "/invitations/" in body_text(message)
    page = client.get(_url(org)).content.decode()
    assert "Invitation sent to colleague@example.com." in page
    pending = re.search(r'<table id="invitations".*?</table>', page, re.S).group(0)
    assert "colleague@example.com" in pending and admin.email in pending


def test_invite_errors_stand_beside_their_fields(client, org):
    login(client, org, Role.ADMIN)
    response = client.post(_url(org), {"email": "not an address", "role": "owner"})
    assert response.status_code == 400
    html = response.content.decode()
    email_block = re.search(r'<label for="id_email">.*?</div>', html, re.S).group(0)
    role_block = re.search(r'<label for="id_role">.*?</div>', html, re.S).group(0)
    assert "errorlist" in email_block and "valid email" in email_block
    assert "errorlist" in role_block  # an admin cannot invite an owner
    assert 'value="not an address"' in html


def test_inviting_a_member_again_is_a_field_error(client, org):
    login(client, org, Role.OWNER)
    member = MembershipFactory(organization=org, role=Role.MEMBER)
    response = client.post(_url(org), {"email": member.user.email, "role": "member"})
    assert response.status_code == 400
    assert "is already a member" in response.content.decode()


def test_a_failed_email_keeps_the_invitation_and_shows_the_link(client, org, smtp_server):
    login(client, org, Role.OWNER)
    smtp_server.fail_next = 1
    response = client.post(_url(org), {"email": "c@example.com", "role": "viewer"}, follow=True)
    assert "could not be sent" in response.content.decode()
    assert "/invitations/" in response.content.decode()
    assert Invitation.objects.filter(email="c@example.com").exists()


def test_revoking_asks_first_then_the_link_stops_working(client, org):
    login(client, org, Role.ADMIN)
    invitation, token = invitation_create(
        organization=org,
        email="c@example.com",
        role=Role.MEMBER,
        invited_by=None,
        acting_role=Role.OWNER,
    )
    url = f"/o/{org.slug}/invitations/{invitation.pk}/revoke/"
    confirm = client.get(url)
    assert b"Revoke the invitation for c@example.com?" in confirm.content
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert client.post(url).status_code == 302
    assert client.get(f"/invitations/{token}/").status_code == 410


def test_the_last_owner_cannot_be_demoted_from_the_page(client, org):
    owner = login(client, org, Role.OWNER)
    membership = Membership.objects.get(user=owner)
    response = client.post(_url(org, membership.pk, "role"), {"role": "admin"})
    assert response.status_code == 400
    assert "last owner cannot be demoted" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_the_last_owner_cannot_be_removed_from_the_page(client, org):
    owner = login(client, org, Role.OWNER)
    membership = Membership.objects.get(user=owner)
    assert "the last owner" in client.get(_url(org)).content.decode()
    response = client.post(_url(org, membership.pk, "remove"))
    assert response.status_code == 400
    assert "last owner cannot be removed" in response.content.decode()


def test_an_owner_changes_a_role_and_removes_a_member(client, org):
    login(client, org, Role.OWNER)
    viewer = MembershipFactory(organization=org, role=Role.VIEWER)
    assert client.post(_url(org, viewer.pk, "role"), {"role": "admin"}).status_code == 302
    viewer.refresh_from_db()
    assert viewer.role == Role.ADMIN
    assert b"Remove " in client.get(_url(org, viewer.pk, "remove")).content
    assert client.post(_url(org, viewer.pk, "remove")).status_code == 302
    assert not Membership.objects.filter(pk=viewer.pk).exists()


def test_an_admin_gets_no_controls_for_an_owner(client, org):
    login(client, org, Role.ADMIN)
    owner = MembershipFactory(organization=org, role=Role.OWNER)
    html = client.get(_url(org)).content.decode()
    assert f'action="{_url(org, owner.pk, "role")}"' not in html
    assert 'value="owner"' not in html  # an admin is offered no role above their own
    assert client.post(_url(org, owner.pk, "role"), {"role": "viewer"}).status_code == 403


def test_an_msp_admin_manages_a_clients_members(client, msp, client_org, smtp_server):
    login(client, msp, Role.ADMIN)
    response = client.post(_url(client_org), {"email": "c@client.example", "role": "admin"})
    assert response.status_code == 302
    assert Invitation.objects.get(email="c@client.example").organization == client_org


def test_members_forms_have_csrf_protection(org):
    client = Client(enforce_csrf_checks=True)
    login(client, org, Role.OWNER)
    viewer = MembershipFactory(organization=org, role=Role.VIEWER)
    assert client.post(_url(org), {"email": "x@example.com", "role": "viewer"}).status_code == 403
    assert client.post(_url(org, viewer.pk, "remove")).status_code == 403
    assert 'name="csrfmiddlewaretoken"' in client.get(_url(org)).content.decode()
