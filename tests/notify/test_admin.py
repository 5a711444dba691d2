"""Operator pages for alerts, webhooks and deliveries: listed, actions need change rights,
the signing secret never shows."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from notify.models import Alert, Webhook, WebhookDelivery
from tests.factories import DomainFactory, UserFactory

pytestmark = pytest.mark.django_db


def _staff(client, *codenames: str):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return user


@pytest.fixture
def objects(org):
    domain = DomainFactory(organization=org, name="admin.example")
    alert = Alert.objects.create(
        organization=org, domain=domain, type="record_removed", key="smtp_tls", severity="critical"
    )
    webhook = Webhook.objects.create(
        organization=org,
        name="ops",
        url="https://hooks.example/a",
        secret="whsec_never_shown",
        enabled=False,
    )
    WebhookDelivery.objects.create(webhook=webhook, event="alert.opened", status="gave_up")
    return alert, webhook


def test_the_pages_list_alerts_webhooks_and_deliveries_without_the_secret(client, objects):
    _, webhook = objects
    _staff(client, "view_alert", "view_webhook", "view_webhookdelivery")

    pages = [
        client.get("/admin/notify/alert/"),
        client.get(f"/admin/notify/webhook/{webhook.pk}/change/"),
        client.get("/admin/notify/webhookdelivery/"),
    ]

    assert [p.status_code for p in pages] == [200, 200, 200]
    assert "Record removed" in pages[0].content.decode()
    assert all("whsec_never_shown" not in p.content.decode() for p in pages)


def test_acknowledging_needs_the_change_permission(client, objects):
    alert, _ = objects
    action = {"action": "acknowledge", "_selected_action": [str(alert.pk)]}
    _staff(client, "view_alert")
    client.post("/admin/notify/alert/", action)
    alert.refresh_from_db()
    assert alert.acknowledged_at is None

    user = _staff(client, "view_alert", "change_alert")
    client.post("/admin/notify/alert/", action)

    alert.refresh_from_db()
    assert alert.acknowledged_by == user


def test_enabling_a_webhook_again_from_the_admin(client, objects):
    _, webhook = objects
    _staff(client, "view_webhook", "change_webhook")

    client.post("/admin/notify/webhook/", {"action": "enable", "_selected_action": [webhook.pk]})

    webhook.refresh_from_db()
    assert webhook.enabled and webhook.consecutive_failures == 0
