"""The operator's admin pages of the notify models: listed, the webhook secret never shown,
actions on alerts, webhooks and deliveries need the change permission."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from notify.models import Alert, DigestDelivery, Webhook, WebhookDelivery
from notify.preferences import preference_for
from tests.factories import DomainFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_every_notify_model_has_a_list_and_a_detail_page(operator, org):
    membership = MembershipFactory(organization=org)
    preference = preference_for(membership)
    delivery = DigestDelivery.objects.create(
        membership=membership,
        period="weekly",
        period_start="2026-11-30T07:00Z",
        period_end="2026-12-07T07:00Z",
    )
    alert = Alert.objects.create(
        organization=org,
        domain=DomainFactory(organization=org),
        type="record_missing",
        severity="critical",
        key="",
    )
    webhook = Webhook.objects.create(
        organization=org, name="ops", url="https://hooks.example/x", secret="s3cret-never-shown"
    )
    webhook_delivery = WebhookDelivery.objects.create(webhook=webhook, event="alert.opened")
    for model, obj in [
        ("notificationpreference", preference),
        ("digestdelivery", delivery),
        ("alert", alert),
        ("webhook", webhook),
        ("webhookdelivery", webhook_delivery),
    ]:
        assert operator.get(f"/admin/notify/{model}/").status_code == 200, model
        response = operator.get(f"/admin/notify/{model}/{obj.pk}/change/")
        assert response.status_code == 200, model
        assert b"s3cret-never-shown" not in response.content


def test_digest_deliveries_are_a_record_and_cannot_be_edited(operator, org):
    assert operator.get("/admin/notify/digestdelivery/add/").status_code == 403


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
