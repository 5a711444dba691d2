"""Who hears about an alert, when, and how often (real SMTP server on loopback)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from notify.dispatch import alerts_dispatch
from notify.models import Alert, NotificationPreference
from tests.factories import DomainFactory, MembershipFactory
from tests.mail import body_text

pytestmark = pytest.mark.django_db


def _member(org, email, role=Role.MEMBER, **preference):
    membership = MembershipFactory(organization=org, role=role, user__email=email)
    NotificationPreference.objects.create(membership=membership, **preference)
    return membership


def _alert(org, name, severity, type="record_removed"):
    domain = DomainFactory(organization=org, name=name)
    return Alert.objects.create(
        organization=org, domain=domain, type=type, key="smtp_tls", severity=severity
    )


def test_critical_alerts_go_at_once_and_warnings_wait_for_the_batch(org, smtp_server):
    _member(org, "oncall@alpha.example", alert_min_severity="warning")
    _alert(org, "critical.example", "critical")
    warning = _alert(org, "warning.example", "warning", type="reports_stopped")

    assert alerts_dispatch(critical_only=True).alerts == 1
    [first] = smtp_server.wait_for(1)
    assert "critical.example" in first["Subject"]
    assert "Stop alert emails: http" in body_text(first, "plain")
    warning.refresh_from_db()
    assert warning.notified_at is None

    assert alerts_dispatch().alerts == 1
    second = smtp_server.wait_for(2)[1]
    assert "warning.example" in second["Subject"]


def test_members_get_what_they_opted_into(org, other_org, smtp_server):
    _member(org, "all@alpha.example", alert_min_severity="info")
    _member(org, "critical-only@alpha.example", alert_min_severity="critical")
    _member(org, "nothing@alpha.example", alert_email=False)
    _member(other_org, "stranger@outsider.example", alert_min_severity="info")
    _alert(org, "warn.example", "warning")

    alerts_dispatch()

    assert [m["To"] for m in smtp_server.wait_for(1)] == ["all@alpha.example"]


def test_an_msp_admin_hears_of_client_alerts_and_an_msp_member_does_not(
    msp, client_org, smtp_server
):
    _member(msp, "admin@msp.example", role=Role.ADMIN)
    _member(msp, "member@msp.example", role=Role.MEMBER)
    _alert(client_org, "client.example", "warning")

    alerts_dispatch()

    assert [m["To"] for m in smtp_server.wait_for(1)] == ["admin@msp.example"]


def test_an_open_alert_is_muted_unless_it_gets_worse_or_the_mute_window_ends(org, smtp_server):
    _member(org, "oncall@alpha.example")
    alert = _alert(org, "flappy.example", "warning")
    alerts_dispatch()
    assert alerts_dispatch().alerts == 0

    Alert.objects.filter(pk=alert.pk).update(severity="critical")
    assert alerts_dispatch().alerts == 1

    later = timezone.now() + timedelta(days=7, minutes=1)
    assert alerts_dispatch(now=later).alerts == 1
    Alert.objects.filter(pk=alert.pk).update(acknowledged_at=later)
    assert alerts_dispatch(now=later + timedelta(days=8)).alerts == 0
    assert len(smtp_server.wait_for(3)) == 3
