"""On-demand scans: a domain already queued or scanned within the cooldown gets that scan back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from scans.models import Scan, ScanStatus, ScanTrigger
from scans.on_demand import scan_request
from tests.factories import DomainFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def domain(org):
    return DomainFactory(organization=org)


def _finished(domain, *, seconds_ago: float) -> Scan:
    finished = timezone.now() - timedelta(seconds=seconds_ago)
    return Scan.objects.create(
        domain=domain,
        trigger=ScanTrigger.SCHEDULE,
        status=ScanStatus.DONE,
        requested_at=finished - timedelta(seconds=2),
        finished_at=finished,
        verdict="pass",
    )


def test_a_second_request_while_one_is_queued_returns_the_queued_scan(
    domain, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as enqueued:
        first = scan_request(domain=domain)
        second = scan_request(domain=domain)
    assert second.pk == first.pk
    assert Scan.objects.filter(domain=domain).count() == 1
    assert len(enqueued) == 1


def test_a_domain_scanned_in_the_last_minute_gets_that_scan_back(domain):
    recent = _finished(domain, seconds_ago=30)
    scan = scan_request(domain=domain)
    assert scan.pk == recent.pk
    assert scan.status == ScanStatus.DONE
    assert Scan.objects.filter(domain=domain).count() == 1


def test_after_the_cooldown_a_new_scan_is_queued(domain, django_capture_on_commit_callbacks):
    old = _finished(domain, seconds_ago=61)
    with django_capture_on_commit_callbacks() as enqueued:
        scan = scan_request(domain=domain)
    assert scan.pk != old.pk
    assert scan.status == ScanStatus.QUEUED
    assert len(enqueued) == 1


def test_the_cooldown_is_a_setting(domain, settings):
    settings.TLSMON_SCAN_COOLDOWN_SECONDS = 300
    recent = _finished(domain, seconds_ago=200)
    assert scan_request(domain=domain).pk == recent.pk


def test_a_queued_scan_lost_beyond_the_lease_does_not_block_new_ones(domain, settings):
    lost = Scan.objects.create(
        domain=domain,
        trigger=ScanTrigger.API,
        requested_at=timezone.now() - timedelta(minutes=settings.TLSMON_SCAN_LEASE_MINUTES + 1),
    )
    assert scan_request(domain=domain).pk != lost.pk


def test_another_domains_recent_scan_does_not_count(domain, org):
    _finished(DomainFactory(organization=org), seconds_ago=5)
    assert scan_request(domain=domain).status == ScanStatus.QUEUED


def test_repeated_api_calls_answer_with_the_same_scan(
    api_client, org, domain, django_capture_on_commit_callbacks
):
    client = api_client(org, write=True)
    with django_capture_on_commit_callbacks() as enqueued:
        ids = [client.post(f"/api/v1/domains/{domain.pk}/scan/").json()["id"] for _ in range(3)]
    assert len(set(ids)) == 1
    assert len(enqueued) == 1
