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


def test_a_member_logs_in_and_lands_on_their_organizations_dashboard(client, org, member):
    DomainFactory(organization=org, name="mine.example")
    response = client.post(
        "/login/", {"login": member.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == f"/o/{org.slug}/"
    assert b'id="verdict-tiles"' in response.content
    assert b"mine.example" in client.get(f"/o/{org.slug}/domains/").content


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
    assert b"client-side.example" in client.get(f"/o/{msp.slug}/domains/").content
    assert client.get(f"/o/{client_org.slug}/").status_code == 200

    client.force_login(viewer)
    assert b"client-side.example" not in client.get(f"/o/{msp.slug}/domains/").content
    assert client.get(f"/o/{client_org.slug}/").status_code == 404


def test_an_msp_owner_lands_on_the_msp_dashboard(client, msp, client_org):
    DomainFactory(organization=client_org, name="client-side.example")
    client.force_login(MembershipFactory(organization=msp, role=Role.OWNER).user)
    response = client.get("/")
    assert response["Location"] == f"/o/{msp.slug}/"


def test_a_member_of_several_organizations_gets_a_list_that_counts_client_domains(
    client, org, msp, client_org, other_org
):
    DomainFactory(organization=client_org, name="client-side.example")
    DomainFactory(organization=other_org, name="secret.example")
    user = MembershipFactory(organization=msp, role=Role.OWNER).user
    MembershipFactory(organization=org, role=Role.VIEWER, user=user)
    client.force_login(user)
    page = client.get("/").content.decode()
    assert msp.name in page and client_org.name in page and org.name in page
    assert other_org.name not in page
    table = page.split('id="organizations"')[1]  # the header's switcher names them too
    msp_row = table.split(f">{msp.name}</a>")[1].split("</tr>")[0]
    assert '<td class="num">1</td>' in msp_row  # the client's domain, not "0 domains"


def test_healthz_answers_without_login(client):
    assert client.get("/healthz").json() == {"status": "ok"}
