"""GET/PATCH /api/v1/notification-preferences/: the token's creator's own preferences."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import Role, TokenScope
from accounts.services import api_token_create
from notify.preferences import preference_for
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/notification-preferences/"


def client_for(membership, *, write=True) -> APIClient:
    _, plaintext = api_token_create(
        organization=membership.organization,
        name="mine",
        scope=TokenScope.WRITE if write else TokenScope.READ,
        created_by=membership.user,
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


@pytest.mark.parametrize(("role", "digest"), [(Role.ADMIN, "weekly"), (Role.VIEWER, "off")])
def test_get_answers_the_callers_preferences_with_the_roles_defaults(org, role, digest):
    membership = MembershipFactory(organization=org, role=role, user__email="me@alpha.example")
    body = client_for(membership).get(URL).json()
    assert body["digest"] == digest
    assert (body["organization"], body["email"], body["role"]) == (
        "alpha",
        "me@alpha.example",
        role,
    )
    assert (body["digest_weekday"], body["digest_hour"], body["alert_email"]) == (0, 7, True)


def test_patch_changes_only_the_given_fields(org):
    membership = MembershipFactory(organization=org, role=Role.MEMBER)
    response = client_for(membership).patch(
        URL, {"digest": "daily", "digest_hour": 18}, format="json"
    )
    assert response.status_code == 200, response.content
    preference = preference_for(membership)
    preference.refresh_from_db()
    assert (preference.digest, preference.digest_hour, preference.alert_email) == (
        "daily",
        18,
        True,
    )


def test_bad_values_are_refused_field_by_field_and_nothing_changes(org):
    membership = MembershipFactory(organization=org, role=Role.OWNER)
    response = client_for(membership).patch(
        URL, {"digest": "hourly", "digest_hour": 24, "alert_email": False}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"digest", "digest_hour"}
    preference = preference_for(membership)
    preference.refresh_from_db()
    assert (preference.digest, preference.alert_email) == ("weekly", True)


def test_a_read_only_token_cannot_change_them(org):
    membership = MembershipFactory(organization=org, role=Role.OWNER)
    response = client_for(membership, write=False).patch(URL, {"digest": "off"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "read_only_token"


def test_a_token_without_a_person_behind_it_gets_a_clear_404(org, api_client):
    response = api_client(org, write=True).get(URL)
    assert response.status_code == 404
    assert "acts for no member" in response.json()["detail"]


def test_a_token_only_ever_reaches_its_creators_own_preferences(msp, client_org, other_org):
    """GIVEN a person in an MSP (admin) and in another organization, a colleague in the MSP and
    a member of the MSP's client WHEN the person's MSP token reads and changes preferences THEN
    only their own MSP membership's row is read or changed."""
    me = UserFactory(email="me@msp.example")
    mine = MembershipFactory(user=me, organization=msp, role=Role.ADMIN)
    elsewhere = MembershipFactory(user=me, organization=other_org, role=Role.OWNER)
    colleague = MembershipFactory(organization=msp, role=Role.OWNER)
    client_member = MembershipFactory(organization=client_org, role=Role.OWNER)
    client = client_for(mine)
    assert client.get(URL).json()["organization"] == "msp"
    assert client.patch(URL, {"digest": "off"}, format="json").status_code == 200
    for other in (elsewhere, colleague, client_member):
        assert preference_for(other).digest == "weekly"
    assert preference_for(mine).digest == "off"
    # Another organization's token (even the same person's) answers for that organization.
    assert client_for(elsewhere).get(URL).json()["organization"] == "outsider"
