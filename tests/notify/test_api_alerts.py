"""The alerts and webhooks API: filters, acknowledge, secret shown once, test, delivery log."""

from __future__ import annotations

import pytest
from django.utils import timezone

from notify.models import Alert, Webhook
from tests.factories import DomainFactory
from tests.notify.helpers import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts(org):
    a = DomainFactory(organization=org, name="a.example")
    b = DomainFactory(organization=org, name="b.example")
    now = timezone.now()
    return {
        "open": Alert.objects.create(
            organization=org, domain=a, type="record_removed", key="smtp_tls", severity="critical"
        ),
        "acked": Alert.objects.create(
            organization=org,
            domain=b,
            type="failure_spike",
            key="2026-03-01",
            severity="warning",
            acknowledged_at=now,
        ),
        "resolved": Alert.objects.create(
            organization=org,
            domain=a,
            type="failure_spike",
            key="2026-02-01",
            severity="warning",
            resolved_at=now,
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "open"}, {"open"}),
        ({"state": "acknowledged"}, {"acked"}),
        ({"state": "resolved"}, {"resolved"}),
        ({"type": "failure_spike"}, {"acked", "resolved"}),
        ({"domain": "a.example"}, {"open", "resolved"}),
        ({"organization": "alpha"}, {"open", "acked", "resolved"}),
    ],
)
def test_alerts_filter_by_state_type_domain_and_organization(
    api_client, org, alerts, query, expected
):
    response = api_client(org).get("/api/v1/alerts/", query)

    assert response.status_code == 200
    names = {name for name, alert in alerts.items()}
    ids = {row["id"] for row in response.json()["results"]}
    assert {name for name in names if alerts[name].pk in ids} == expected


def test_an_unknown_alert_type_is_a_field_error(api_client, org):
    response = api_client(org).get("/api/v1/alerts/", {"type": "everything"})

    assert response.status_code == 400
    assert "type" in response.content.decode()


def test_acknowledging_records_who_and_when_and_a_read_only_token_cannot(api_client, org, alerts):
    alert = alerts["open"]
    assert api_client(org).post(f"/api/v1/alerts/{alert.pk}/acknowledge/").status_code == 403

    response = api_client(org, write=True).post(f"/api/v1/alerts/{alert.pk}/acknowledge/")

    assert response.status_code == 200
    assert response.json()["state"] == "acknowledged"
    assert response.json()["acknowledged_at"] is not None


def test_the_secret_is_shown_once_on_create(api_client, org):
    client = api_client(org, write=True)

    created = client.post("/api/v1/webhooks/", {"name": "ops", "url": "https://hooks.example/t"})

    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret == Webhook.objects.get().secret and secret.startswith("whsec_")
    shown = client.get(f"/api/v1/webhooks/{created.json()['id']}/").json()
    assert "secret" not in shown
    assert created["Cache-Control"].startswith("max-age=0")


def test_a_loopback_url_is_a_field_error_without_the_test_setting(api_client, org, settings):
    settings.TLSMON_FETCH_ALLOW_PRIVATE = False

    response = api_client(org, write=True).post(
        "/api/v1/webhooks/", {"name": "x", "url": "http://127.0.0.1:8080/hook"}
    )

    assert response.status_code == 400
    [message] = response.json()["fields"]["url"]
    assert "private, loopback or reserved address" in message
    assert not Webhook.objects.exists()


def test_send_test_and_the_delivery_log(api_client, org, settings):
    settings.TLSMON_FETCH_ALLOW_PRIVATE = True
    receiver = Receiver(statuses=[500])
    try:
        client = api_client(org, write=True)
        created = client.post("/api/v1/webhooks/", {"name": "ops", "url": receiver.url}).json()
        receiver.secret = created["secret"]

        first = client.post(f"/api/v1/webhooks/{created['id']}/test/").json()
        second = client.post(f"/api/v1/webhooks/{created['id']}/test/").json()

        assert (first["status"], first["response_status"]) == ("failed", 500)
        assert (second["status"], second["response_status"]) == ("succeeded", 200)
        log = client.get(f"/api/v1/webhooks/{created['id']}/deliveries/").json()
        assert [row["status"] for row in log] == ["succeeded", "failed"]
        assert all(r["verified"] for r in receiver.requests)
    finally:
        receiver.stop()


def test_enabling_a_disabled_webhook_again_clears_its_failures(api_client, org):
    webhook = Webhook.objects.create(
        organization=org,
        name="h",
        url="https://hooks.example/a",
        secret="s",
        enabled=False,
        consecutive_failures=20,
        disabled_reason="20 failed",
    )

    response = api_client(org, write=True).patch(
        f"/api/v1/webhooks/{webhook.pk}/", {"enabled": True}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["enabled"], response.json()["consecutive_failures"]) == (True, 0)
