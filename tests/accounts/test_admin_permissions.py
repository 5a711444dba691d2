"""Admin actions that change data need the change permission; raw downloads need view.

A "view-only" operator is a staff user given only the ``view_*`` permissions: the admin shows
them the lists, and nothing in it may write or hand out more than that.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from accounts.invitations import invitation_create
from accounts.models import ApiToken, Organization, Role
from accounts.services import api_token_create
from reports.models import QuarantinedPolicy, Submission
from reports.services import submission_receive
from tests.factories import QuarantinedPolicyFactory, UserFactory

pytestmark = pytest.mark.django_db


def _staff(client, *codenames: str):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


def _act(client, model_url: str, action: str, pks) -> None:
    client.post(model_url, {"action": action, "_selected_action": [str(pk) for pk in pks]})


@pytest.fixture
def viewer_staff(client):
    return _staff(
        client,
        "view_organization",
        "view_apitoken",
        "view_submission",
        "view_quarantinedpolicy",
    )


def test_a_view_only_operator_cannot_rotate_a_report_token(viewer_staff, org):
    before = org.report_token
    page = viewer_staff.get("/admin/accounts/organization/").content.decode()
    assert "rotate_report_token" not in page
    _act(viewer_staff, "/admin/accounts/organization/", "rotate_report_token", [org.pk])
    assert Organization.objects.get(pk=org.pk).report_token == before


def test_an_operator_with_change_permission_can_rotate_a_report_token(client, org):
    staff = _staff(client, "view_organization", "change_organization")
    before = org.report_token
    _act(staff, "/admin/accounts/organization/", "rotate_report_token", [org.pk])
    assert Organization.objects.get(pk=org.pk).report_token != before


def test_a_view_only_operator_cannot_revoke_an_api_token(viewer_staff, org):
    token, _ = api_token_create(organization=org, name="cli")
    _act(viewer_staff, "/admin/accounts/apitoken/", "revoke", [token.pk])
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_an_operator_with_change_permission_can_revoke_an_api_token(client, org):
    staff = _staff(client, "view_apitoken", "change_apitoken")
    token, _ = api_token_create(organization=org, name="cli")
    _act(staff, "/admin/accounts/apitoken/", "revoke", [token.pk])
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def _submission(org) -> Submission:
    submission, _ = submission_receive(
        organization=org, payload=b"not a report", channel="https", source="test"
    )
    return submission


def test_a_view_only_operator_cannot_reprocess_submissions(viewer_staff, org):
    submission = _submission(org)
    _act(viewer_staff, "/admin/reports/submission/", "reprocess", [submission.pk])
    assert Submission.objects.get(pk=submission.pk).attempts == 0


def test_an_operator_with_change_permission_can_reprocess_submissions(client, org):
    staff = _staff(client, "view_submission", "change_submission")
    submission = _submission(org)
    _act(staff, "/admin/reports/submission/", "reprocess", [submission.pk])
    assert Submission.objects.get(pk=submission.pk).attempts == 1


def test_a_view_only_operator_cannot_reroute_quarantined_policies(viewer_staff, org):
    row = QuarantinedPolicyFactory(organization=org)
    page = viewer_staff.get("/admin/reports/quarantinedpolicy/").content.decode()
    assert 'value="reprocess"' not in page
    _act(viewer_staff, "/admin/reports/quarantinedpolicy/", "reprocess", [row.pk])
    assert QuarantinedPolicy.objects.get(pk=row.pk).resolved_at is None


def test_staff_without_the_view_permission_cannot_download_a_raw_submission(client, org):
    staff = _staff(client, "view_organization")
    submission = _submission(org)
    response = staff.get(f"/admin/reports/submission/{submission.pk}/download/")
    assert response.status_code == 403
    assert b"not a report" not in response.content


def test_staff_with_the_view_permission_can_download_a_raw_submission(viewer_staff, org):
    submission = _submission(org)
    response = viewer_staff.get(f"/admin/reports/submission/{submission.pk}/download/")
    assert response.status_code == 200
    assert response.content == b"not a report"


def _invitation(org):
    invitation, _ = invitation_create(
        organization=org,
        email="c@example.com",
        role=Role.MEMBER,
        invited_by=None,
        acting_role=Role.OWNER,
    )
    return invitation


def test_a_view_only_operator_cannot_revoke_an_invitation(client, org):
    staff = _staff(client, "view_invitation")
    invitation = _invitation(org)
    _act(staff, "/admin/accounts/invitation/", "revoke", [invitation.pk])
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_an_operator_with_change_permission_can_revoke_an_invitation(client, org):
    staff = _staff(client, "view_invitation", "change_invitation")
    invitation = _invitation(org)
    _act(staff, "/admin/accounts/invitation/", "revoke", [invitation.pk])
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
