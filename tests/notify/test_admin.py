"""The operator's admin pages of the notify models."""

from __future__ import annotations

import pytest

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
