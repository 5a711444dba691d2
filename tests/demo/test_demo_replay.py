"""Scanning a demo domain replays its demo recording: the demo keeps its verdicts and findings
instead of turning into "domain does not exist" pages. Other domains are scanned for real.

DNS goes to the suite's Knot server, which serves none of the demo's names: a real scan of a
demo domain would come back ``not_applicable`` or ``error``, so these tests see the difference.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Domain, Organization
from scans.models import Scan, ScanTrigger
from scans.services import scan_domains, scans_schedule_due
from tests.scans.zones import no_record_domain
from tests.web.helpers import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(dns_settings):
    call_command("seed_demo", password="a-long-demo-password", stdout=None)
    call_command("seed_demo_activity", stdout=None)


def _recording(domain: Domain) -> Scan:
    return Scan.objects.get(domain=domain, trigger=ScanTrigger.DEMO)


def _codes(scan: Scan) -> list[str]:
    return [finding["code"] for finding in scan.findings]


def test_seed_demo_marks_exactly_the_demo_domains(demo):
    assert Domain.objects.filter(is_demo=True).count() == 12
    assert not Domain.objects.filter(is_demo=False).exists()


def test_an_api_scan_of_a_demo_domain_replays_its_recorded_verdict_and_findings(
    demo, api_client, tasks_in_process, django_capture_on_commit_callbacks
):
    domain = Domain.objects.get(name="acme.test")  # the demo's domain without a record
    recording = _recording(domain)
    # Older than the cooldown, or the API hands back the recording itself as the latest scan.
    Scan.objects.filter(pk=recording.pk).update(finished_at=timezone.now() - timedelta(hours=1))
    client = api_client(Organization.objects.get(slug="acme"), write=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/domains/{domain.pk}/scan/")

    scan = client.get(response.json()["url"]).json()
    assert scan["status"] == "done"
    assert scan["replay_of"] == recording.pk
    assert (scan["verdict"], scan["score"]) == (recording.verdict, recording.score)
    assert [f["code"] for f in scan["findings"]] == _codes(recording)
    assert scan["result"]["records"] == recording.result["records"]
    domain.refresh_from_db()
    assert domain.scan_verdict == recording.verdict == "fail"


def test_the_scheduled_round_replays_every_demo_domain(
    demo, tasks_in_process, django_capture_on_commit_callbacks
):
    before = dict(Domain.objects.values_list("name", "scan_verdict"))
    Domain.objects.update(next_scan_at=timezone.now() - timedelta(minutes=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert scans_schedule_due() == 12

    replays = Scan.objects.filter(trigger=ScanTrigger.SCHEDULE)
    assert replays.count() == 12
    for scan in replays.select_related("replay_of"):
        assert scan.replay_of.domain_id == scan.domain_id
        assert scan.verdict == scan.replay_of.verdict
        assert _codes(scan) == _codes(scan.replay_of)
    assert dict(Domain.objects.values_list("name", "scan_verdict")) == before
    assert set(before.values()) == {"pass", "warn", "fail", "not_applicable", "error"}
    assert not Domain.objects.filter(next_scan_at__lte=timezone.now()).exists()


def test_a_replay_records_no_changes_and_keeps_the_external_authorizations(demo):
    domain = Domain.objects.get(name="shop.acme.example")  # unauthorized external rua
    statuses = list(domain.external_authorizations.values_list("status", flat=True))

    scan_domains(domain_ids=[domain.pk], trigger=ScanTrigger.COMMAND)

    assert statuses == ["missing"]
    assert list(domain.external_authorizations.values_list("status", flat=True)) == statuses
    assert not domain.scan_changes.exists()


def test_a_domain_added_to_a_demo_organization_is_scanned_for_real(demo, dns_server, zone_name):
    dns_server.set_zone(zone_name, no_record_domain(zone_name))
    acme = Organization.objects.get(slug="acme")
    domain = Domain.objects.create(organization=acme, name=zone_name, unicode_name=zone_name)

    scan_domains(domain_ids=[domain.pk], trigger=ScanTrigger.COMMAND)

    scan = Scan.objects.get(domain=domain)
    assert scan.replay_of is None
    assert (scan.verdict, _codes(scan)) == ("fail", ["missing_record"])


def test_a_demo_domain_without_a_recording_fails_with_the_command_that_records_one(db):
    call_command("seed_demo", password="a-long-demo-password", stdout=None)
    domain = Domain.objects.get(name="acme.example")

    summary = scan_domains(domain_ids=[domain.pk], trigger=ScanTrigger.COMMAND)

    assert summary.failed == 1
    assert "seed_demo_activity" in Scan.objects.get(domain=domain).error
    domain.refresh_from_db()
    assert domain.scan_verdict == ""  # not "does not exist"


def test_the_domain_page_says_a_demo_domain_replays_recorded_results(demo, client, zone_name):
    acme = Organization.objects.get(slug="acme")
    login(client, acme, "viewer")
    demo_domain = Domain.objects.get(name="acme.example")
    own = Domain.objects.create(organization=acme, name=zone_name, unicode_name=zone_name)

    demo_page = client.get(f"/o/acme/domains/{demo_domain.pk}/").content.decode()
    own_page = client.get(f"/o/acme/domains/{own.pk}/").content.decode()

    assert "Demo domain: scans replay the demo's recorded results" in demo_page
    assert 'id="demo-notice"' not in own_page
