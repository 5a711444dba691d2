"""/o/<slug>/settings/notifications/: a member edits their own digest and alert emails, and
the unsubscribe page a digest links to."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from notify.preferences import preference_for, unsubscribe_token
from tests.web.helpers import login

pytestmark = pytest.mark.django_db

FORM = {
    "digest": "daily",
    "digest_weekday": "4",
    "digest_hour": "6",
    "alert_email": "on",
    "alert_min_severity": "critical",
}


def url(org) -> str:
    return reverse("notification-settings", kwargs={"slug": org.slug})


def own_preference(user, org):
    return preference_for(Membership.objects.get(user=user, organization=org))


def test_an_owner_sees_the_weekly_default_and_changes_it(client, org):
    user = login(client, org, Role.OWNER)
    response = client.get(url(org))
    assert response.status_code == 200
    assert response.context["form"].initial["digest"] == "weekly"
    response = client.post(url(org), FORM, follow=True)
    assert b"Notification preferences saved." in response.content
    preference = own_preference(user, org)
    assert (preference.digest, preference.digest_weekday, preference.digest_hour) == ("daily", 4, 6)
    assert preference.alert_min_severity == "critical"


def test_a_viewer_may_change_their_own_emails(client, org):
    user = login(client, org, Role.VIEWER)
    assert client.post(url(org), FORM).status_code == 302
    assert own_preference(user, org).digest == "daily"


def test_a_bad_value_is_named_and_nothing_is_saved(client, org):
    user = login(client, org, Role.OWNER)
    response = client.post(url(org), {**FORM, "digest_hour": "24", "digest": "hourly"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"digest_hour", "digest"}
    assert own_preference(user, org).digest == "weekly"


def test_an_msp_admin_on_a_clients_page_is_sent_to_the_msp_digest(client, msp, client_org):
    login(client, msp, Role.ADMIN)
    response = client.get(url(client_org))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert url(msp).encode() in response.content


def test_the_unsubscribe_page_asks_before_a_browser_unsubscribes(client, org):
    user = login(client, org, Role.OWNER)
    membership = Membership.objects.get(user=user)
    client.logout()
    link = reverse("unsubscribe", kwargs={"token": unsubscribe_token(membership.pk)})
    response = client.get(link)
    assert response.status_code == 200 and b"Stop sending the digest" in response.content
    assert preference_for(membership).digest == "weekly"  # a link scanner's GET changes nothing
    response = client.post(link)
    assert b"will no longer be sent" in response.content
    assert own_preference(user, org).digest == "off"


def test_an_alerts_unsubscribe_link_switches_alert_emails_off_only(client, org):
    user = login(client, org, Role.OWNER)
    membership = Membership.objects.get(user=user)
    link = reverse("unsubscribe", kwargs={"token": unsubscribe_token(membership.pk, "alerts")})
    client.post(link, {"List-Unsubscribe": "One-Click"})
    preference = own_preference(user, org)
    assert (preference.alert_email, preference.digest) == (False, "weekly")
