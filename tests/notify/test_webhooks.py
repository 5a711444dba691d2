"""Webhooks against a real HTTP receiver on loopback that verifies TLSMon's signature."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from notify.dispatch import alerts_dispatch
from notify.models import Alert, WebhookDelivery
from notify.webhooks import (
    webhook_create,
    webhook_deliver,
    webhook_deliveries_due,
    webhook_send_test,
    webhook_url_error,
)
from tests.factories import DomainFactory, MembershipFactory
from tests.notify.helpers import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def loopback_allowed(settings):
    settings.TLSMON_FETCH_ALLOW_PRIVATE = True  # the test setting the MTA-STS tests use too


def _webhook(org, receiver, format="json"):
    webhook = webhook_create(
        organization=org, name="ops", url=receiver.url, format=format, created_by=None
    )
    receiver.secret = webhook.secret
    return webhook


def _alert(org, name="signed.example", severity="warning"):
    domain = DomainFactory(organization=org, name=name)
    return Alert.objects.create(
        organization=org, domain=domain, type="record_removed", key="smtp_tls",
        severity=severity, details={"record": "smtp_tls"},
    )  # fmt: skip


def test_a_signed_alert_reaches_a_receiver_that_verifies_it(
    org, receiver, loopback_allowed, tasks_in_process, django_capture_on_commit_callbacks
):
    webhook = _webhook(org, receiver)
    alert = _alert(org)

    with django_capture_on_commit_callbacks(execute=True):
        alerts_dispatch()

    [request] = receiver.requests
    assert request["verified"] is True
    assert request["headers"]["TLSMon-Event"] == "alert.opened"
    assert request["body"]["alerts"][0]["domain"] == "signed.example"
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    assert (delivery.status, delivery.response_status, delivery.alert) == ("succeeded", 200, alert)


def test_a_failing_receiver_is_retried_with_back_off_and_the_log_shows_it(
    org, receiver, loopback_allowed
):
    webhook = _webhook(org, receiver)
    receiver.statuses = [500]
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event="alert.opened", payload={"n": 1}, next_attempt_at=timezone.now()
    )

    webhook_deliver(delivery=delivery)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 1, 500)
    assert delivery.last_error == "HTTP 500"
    wait = delivery.next_attempt_at - delivery.last_attempt_at
    assert wait == timedelta(minutes=1)
    assert webhook_deliveries_due(now=delivery.last_attempt_at + timedelta(seconds=30)) == 0

    assert webhook_deliveries_due(now=delivery.next_attempt_at) == 1

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 2, 200)
    assert [r["verified"] for r in receiver.requests] == [True, True]


def test_retries_stop_after_the_retry_window(org, receiver, loopback_allowed):
    webhook = _webhook(org, receiver)
    receiver.statuses = [503]
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event="alert.opened", payload={}, next_attempt_at=timezone.now(),
        created_at=timezone.now() - timedelta(hours=23, minutes=59, seconds=30),
    )  # fmt: skip

    webhook_deliver(delivery=delivery)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.next_attempt_at) == ("gave_up", None)


def test_a_webhook_to_loopback_is_refused_without_the_test_setting(org, receiver, settings):
    settings.TLSMON_FETCH_ALLOW_PRIVATE = False
    assert "refused" in webhook_url_error(receiver.url)
    webhook = _webhook(org, receiver)  # stored directly: the guard at send time still holds

    delivery = webhook_send_test(webhook=webhook)

    assert delivery.last_error == "refused private address 127.0.0.1"
    assert delivery.status == "failed"
    assert receiver.requests == []


def test_twenty_failures_in_a_row_disable_the_webhook_and_tell_the_admins(
    org, receiver, loopback_allowed, smtp_server
):
    MembershipFactory(organization=org, role=Role.ADMIN, user__email="admin@alpha.example")
    MembershipFactory(organization=org, role=Role.VIEWER, user__email="viewer@alpha.example")
    webhook = _webhook(org, receiver)
    receiver.statuses = [500] * 25

    for _ in range(20):
        webhook_send_test(webhook=webhook)

    webhook.refresh_from_db()
    assert (webhook.enabled, webhook.consecutive_failures) == (False, 20)
    assert webhook.disabled_reason.startswith("20 failed deliveries in a row")
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "admin@alpha.example"
    assert "switched off" in message["Subject"]


def test_the_slack_format_posts_chat_text(org, receiver, loopback_allowed):
    webhook = _webhook(org, receiver, format="slack")

    webhook_send_test(webhook=webhook)

    assert receiver.requests[0]["body"] == {"text": "*TLSMon test message*: this webhook works."}
