"""Web UI pages: login, the dashboard, and organization pages that keep tenants apart."""

from __future__ import annotations

import pytest

from accounts.models import Role
from tests.factories import DomainFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(org):
    return MembershipFactory(organization=org, role=Role.MEMBER).user


def test_anonymous_visitors_are_sent_to_the_login_page(client, org):
    response = client.get(f"/o/{org.slug}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_member_logs_in_and_lands_on_their_organizations_domains(client, org, member):
    DomainFactory(organization=org, name="mine.example")
    response = client.post(
        "/login/", {"login": member.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == f"/o/{org.slug}/"
    assert b"mine.example" in response.content


def test_another_organizations_page_is_a_404_for_a_member(client, org, other_org, member):
    DomainFactory(organization=other_org, name="secret.example")
    client.force_login(member)
    response = client.get(f"/o/{other_org.slug}/")
    assert response.status_code == 404
    assert b"secret.example" not in response.content


def test_an_msp_admin_sees_client_domains_and_an_msp_viewer_does_not(client, msp, client_org):
    DomainFactory(organization=client_org, name="client-side.example")
    admin = MembershipFactory(organization=msp, role=Role.ADMIN).user
    viewer = MembershipFactory(organization=msp, role=Role.VIEWER).user

    client.force_login(admin)
    assert b"client-side.example" in client.get(f"/o/{msp.slug}/").content
    assert client.get(f"/o/{client_org.slug}/").status_code == 200

    client.force_login(viewer)
    assert b"client-side.example" not in client.get(f"/o/{msp.slug}/").content
    assert client.get(f"/o/{client_org.slug}/").status_code == 404


def test_the_dashboard_lists_only_reachable_organizations(client, msp, client_org, other_org):
    owner = MembershipFactory(organization=msp, role=Role.OWNER).user
    client.force_login(owner)
    body = client.get("/").content.decode()
    assert msp.name in body and client_org.name in body
    assert other_org.name not in body


def test_healthz_answers_without_login(client):
    assert client.get("/healthz").json() == {"status": "ok"}
