"""Sign-up, password reset and the invitation link, through the pages a person uses."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.invitations import invitation_create
from accounts.models import Invitation, Membership, Organization, Role, User
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.mail import body_text

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough passphrase 42"
PASSWORD_OF_FACTORY = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _sign_up(client, email="new@example.com", organization="Acme Mail", password=PASSWORD, **kw):
    data = {"email": email, "password1": password, "organization": organization}
    return client.post("/signup/", data, **kw)


def _errors_of(html: str, field: str) -> str:
    """The error list rendered in the given field's block (field-level, not at the top)."""
    match = re.search(rf'<label for="id_{field}">.*?</div>', html, re.S)
    assert match, f"no field {field}"
    errors = re.search(r'<ul class="errorlist"[^>]*>(.*?)</ul>', match.group(0), re.S)
    return errors.group(1) if errors else ""


def test_signing_up_creates_an_organization_the_user_owns(client):
    response = _sign_up(client, email="Founder@Example.com", organization="  Acme   Mail ")
    assert response.status_code == 302
    user = User.objects.get(email="founder@example.com")
    membership = Membership.objects.get(user=user)
    assert (membership.organization.name, membership.role) == ("Acme Mail", Role.OWNER)
    follow = client.get(response["Location"], follow=True)
    assert follow.redirect_chain[-1][0] == f"/o/{membership.organization.slug}/"


def test_a_taken_slug_gives_the_next_free_one(client):
    OrganizationFactory(name="Someone else's Acme", slug="acme")
    _sign_up(client, organization="Acme")
    assert Organization.objects.get(name="Acme").slug == "acme-2"


def test_sign_up_errors_stand_beside_their_fields_and_keep_the_good_input(client):
    response = _sign_up(client, email="new@example.com", organization="", password="short")
    assert response.status_code == 200
    html = response.content.decode()
    assert "required" in _errors_of(html, "organization")
    assert "too short" in _errors_of(html, "password1")
    assert _errors_of(html, "email") == ""
    assert 'value="new@example.com"' in html
    assert not User.objects.exists() and not Organization.objects.exists()


def test_the_sign_up_form_has_csrf_protection():
    client = Client(enforce_csrf_checks=True)
    assert _sign_up(client).status_code == 403
    assert not User.objects.exists()


def test_a_password_reset_email_arrives_and_its_link_sets_a_new_password(
    client, settings, smtp_server
):
    settings.TLSMON_BASE_URL = "https://tlsmon.example.net"
    user = UserFactory(email="forgetful@example.com")
    response = client.post("/password/reset/", {"email": "Forgetful@example.com"})
    assert response.status_code == 302
    [message] = smtp_server.wait_for(1)
    assert smtp_server.to("forgetful@example.com") == [message]
    assert message["Subject"] == "Reset your TLSMon password"
    text = body_text(message, "plain")
    link = re.search(r"https://tlsmon\.example\.net(/password/reset/key/\S+/)", text)
    assert link and link.group(0) in body_text(message, "html")

    form = client.get(link.group(1), follow=True)
    assert b"Choose a new password" in form.content
    new = "another long passphrase 7"
    done = client.post(form.redirect_chain[-1][0], {"password1": new, "password2": new})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    assert client.post(link.group(1), {"password1": "x", "password2": "x"}).status_code == 200
    assert b"does not work" in client.get(link.group(1), follow=True).content


def test_logging_in_with_a_wrong_password_shows_an_error_not_a_lock(client):
    UserFactory(email="someone@example.com")
    response = client.post("/login/", {"login": "someone@example.com", "password": "nope"})
    assert response.status_code == 200
    assert b"not correct" in response.content


def _invitation(org, email="colleague@example.com", role=Role.MEMBER):
    return invitation_create(
        organization=org, email=email, role=role, invited_by=None, acting_role=Role.OWNER
    )


def test_signing_up_through_an_invitation_joins_that_organization(client, org):
    _, token = _invitation(org, role=Role.VIEWER)
    page = client.get(f"/invitations/{token}/")
    assert f"join <strong>{org.name}</strong> as <strong>Viewer</strong>" in page.content.decode()
    signup = client.get(f"/signup/?next=/invitations/{token}/")
    assert b"Organization name (optional)" in signup.content
    data = {"email": "colleague@example.com", "password1": PASSWORD, "organization": ""}
    response = client.post("/signup/", {**data, "next": f"/invitations/{token}/"})
    assert response["Location"] == f"/invitations/{token}/"
    accepted = client.post(f"/invitations/{token}/accept/")
    assert accepted["Location"] == f"/o/{org.slug}/"
    user = User.objects.get(email="colleague@example.com")
    assert Membership.objects.get(user=user).organization == org
    assert Membership.objects.get(user=user).role == Role.VIEWER
    assert not Organization.objects.exclude(pk=org.pk).exists()


def test_a_signed_in_user_with_another_address_is_told_so(client, org):
    _, token = _invitation(org)
    client.force_login(UserFactory(email="someone.else@example.com"))
    page = client.get(f"/invitations/{token}/")
    assert page.status_code == 403
    assert b"This invitation is for another address" in page.content
    assert client.post(f"/invitations/{token}/accept/").status_code == 403
    assert not Membership.objects.filter(organization=org).exists()


@pytest.mark.parametrize("state", ["revoked", "accepted", "expired"])
def test_a_used_up_link_gets_a_page_that_says_why(client, org, state):
    invitation, token = _invitation(org)
    field = {"revoked": "revoked_at", "accepted": "accepted_at", "expired": "expires_at"}[state]
    Invitation.objects.filter(pk=invitation.pk).update(**{field: timezone.now()})
    page = client.get(f"/invitations/{token}/")
    assert page.status_code == 410
    heading = {"revoked": "withdrawn", "accepted": "already used", "expired": "has expired"}
    assert heading[state] in page.content.decode()


def test_an_unknown_link_is_a_404_page(client):
    page = client.get("/invitations/nothing-here/")
    assert page.status_code == 404
    assert b"does not work" in page.content


def test_the_switcher_lists_the_msp_with_its_clients_and_marks_the_current_one(
    client, msp, client_org
):
    second = OrganizationFactory(name="Client Two", slug="client-two", managed_by=msp)
    admin = MembershipFactory(organization=msp, role=Role.ADMIN).user
    client.force_login(admin)
    html = client.get(f"/o/{second.slug}/members/").content.decode()
    menu = re.search(r'<nav class="switcher-menu".*?</nav>', html, re.S).group(0)
    clients = re.search(r'<ul class="clients".*?</ul>', menu, re.S).group(0)
    assert msp.name in menu.split('<ul class="clients"')[0]
    assert client_org.name in clients and second.name in clients
    assert re.search(r'class="current" aria-current="page">Client Two<', clients)


def test_a_client_admin_sees_only_the_client_in_the_switcher(client, msp, client_org):
    client.force_login(MembershipFactory(organization=client_org, role=Role.ADMIN).user)
    html = client.get(f"/o/{client_org.slug}/members/").content.decode()
    menu = re.search(r'<nav class="switcher-menu".*?</nav>', html, re.S).group(0)
    assert client_org.name in menu and msp.name not in menu


def test_a_signed_in_user_changes_their_password(client):
    user = UserFactory(email="someone@example.com")
    client.force_login(user)
    assert b'href="/password/change/"' in client.get("/password/change/").content
    new = "another long passphrase 7"
    data = {"oldpassword": "wrong", "password1": new, "password2": new}
    response = client.post("/password/change/", data)
    assert response.status_code == 200 and b"errorlist" in response.content
    response = client.post("/password/change/", {**data, "oldpassword": PASSWORD_OF_FACTORY})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
