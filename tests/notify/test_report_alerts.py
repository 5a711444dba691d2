"""Alerts driven by ingested reports (the real intake path), and grouping: twenty client
domains of one MSP failing on one MX host the same day reach the MSP as one notification."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from notify.alerts import alerts_for_silence
from notify.dispatch import alerts_dispatch
from notify.models import Alert, NotificationPreference, Webhook, WebhookDelivery
from reports.services import report_ingest_bytes
from tests.factories import DomainFactory, MembershipFactory, OrganizationFactory
from tests.mail import body_text
from tests.notify.helpers import report_json

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()
MX = "mx.shared-host.example"


@pytest.fixture
def ingest(django_capture_on_commit_callbacks):
    """Ingest one report as the HTTPS intake would; the evaluation runs from the commit hook."""

    def run(organization, payload: bytes):
        with django_capture_on_commit_callbacks(execute=True):
            summary = report_ingest_bytes(
                organization=organization, payload=payload, channel="https", source="test"
            )
        assert summary.accepted == 1, summary
        return summary

    return run


def _history(ingest, domain, failed_per_day: int, days: int = 14):
    for n in range(1, days + 1):
        day = TODAY - timedelta(days=n)
        failures = {("starttls-not-supported", MX): failed_per_day} if failed_per_day else {}
        ingest(domain.organization, report_json(domain.name, day, failures=failures))


def test_a_failure_spike_opens_an_alert_only_above_both_thresholds(ingest, org):
    domain = DomainFactory(organization=org, name="spiky.example")
    _history(ingest, domain, failed_per_day=5)  # median 5: a spike needs >= 15 (and >= 10)

    ingest(
        org,
        report_json(
            domain.name,
            TODAY - timedelta(days=0),
            failures={("starttls-not-supported", MX): 14},
            report_id="below",
        ),
    )
    assert not Alert.objects.filter(type="failure_spike").exists()

    ingest(
        org,
        report_json(
            domain.name, TODAY, failures={("starttls-not-supported", MX): 2}, report_id="above"
        ),
    )  # 14 + 2 = 16 that day

    alert = Alert.objects.get(type="failure_spike")
    assert alert.details["failed"] == 16 and alert.details["median"] == 5
    assert (alert.domain, alert.key, alert.group_key) == (domain, TODAY.isoformat(), f"mx:{MX}")


def test_a_result_type_never_seen_before_opens_an_alert_and_a_known_one_does_not(ingest, org):
    domain = DomainFactory(organization=org, name="newtype.example")
    _history(ingest, domain, failed_per_day=1, days=3)

    ingest(
        org,
        report_json(
            domain.name,
            TODAY,
            failures={("starttls-not-supported", MX): 1, ("certificate-expired", MX): 2},
        ),
    )

    [alert] = Alert.objects.filter(type="new_result_type")
    assert (alert.key, alert.group_key) == ("certificate-expired", f"mx:{MX}")


def test_silence_opens_and_a_new_report_resolves(ingest, org):
    domain = DomainFactory(organization=org, name="quiet.example", scan_verdict="pass")
    ingest(org, report_json(domain.name, TODAY - timedelta(days=5)))
    domain.refresh_from_db()
    domain.last_report_at = timezone.now() - timedelta(days=4)
    domain.save(update_fields=["last_report_at"])
    fresh = DomainFactory(organization=org, name="fresh.example", scan_verdict="pass")
    fresh.added_at = timezone.now() - timedelta(days=5)
    fresh.save(update_fields=["added_at"])

    alerts_for_silence()

    assert set(Alert.objects.values_list("domain__name", "type")) == {
        ("quiet.example", "reports_stopped"),
        ("fresh.example", "no_first_report"),
    }
    ingest(org, report_json(domain.name, TODAY))
    alerts_for_silence()
    assert Alert.objects.get(domain=domain).resolved_at is not None


def test_twenty_msp_client_domains_failing_on_one_mx_are_one_notification(ingest, msp, smtp_server):
    """GIVEN an MSP with twenty client organizations, an admin who wants alert email and a
    webhook WHEN each client domain's report shows a spike on the same MX host the same day
    (twenty ingest batches) THEN the 15-minute run sends the MSP one email and one webhook
    delivery listing the twenty domains, and a second run within the mute window sends
    nothing."""
    admin = MembershipFactory(organization=msp, role=Role.ADMIN, user__email="ops@msp.example")
    NotificationPreference.objects.create(membership=admin, alert_email=True)
    webhook = Webhook.objects.create(
        organization=msp, name="chat", url="https://hooks.example/x", secret="s", enabled=True
    )
    for n in range(20):
        client = OrganizationFactory(name=f"Client {n}", slug=f"client-{n}", managed_by=msp)
        domain = DomainFactory(organization=client, name=f"client{n}.example")
        ingest(client, report_json(domain.name, TODAY, failures={("certificate-expired", MX): 50}))
    assert Alert.objects.filter(type="failure_spike").count() == 20

    summary = alerts_dispatch()

    msp_mail = [m for m in smtp_server.wait_for(1) if "ops@msp.example" in m["To"]]
    assert len(msp_mail) == 1
    text = body_text(msp_mail[0], "plain")
    assert f"Failure spike on MX host {MX}: 20 domains" in msp_mail[0]["Subject"]
    assert all(f"client{n}.example" in text for n in range(20))
    [delivery] = WebhookDelivery.objects.filter(webhook=webhook, event="alert.opened")
    assert len(delivery.payload["alerts"]) == 20
    assert summary.alerts == 20
    assert alerts_dispatch().alerts == 0  # muted: nothing new, nothing worse
