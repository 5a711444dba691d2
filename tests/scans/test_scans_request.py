"""Many on-demand scans at once (onboarding, "check again"): chunked, same cooldown, claimed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Domain
from scans.models import Scan, ScanStatus, ScanTrigger
from scans.on_demand import scans_request
from scans.services import scans_schedule_due
from tests.factories import DomainFactory

pytestmark = pytest.mark.django_db


def test_each_domain_gets_one_queued_scan_sent_in_chunks(
    org, settings, django_capture_on_commit_callbacks
):
    settings.TLSMON_SCAN_CHUNK_SIZE = 2
    domains = DomainFactory.create_batch(5, organization=org)
    with django_capture_on_commit_callbacks() as enqueued:
        scans = scans_request(domains=domains, trigger=ScanTrigger.WEB)
    assert sorted(scans) == sorted(d.pk for d in domains)
    assert {s.status for s in scans.values()} == {ScanStatus.QUEUED}
    assert len(enqueued) == 3  # 2 + 2 + 1


def test_a_domain_scanned_within_the_cooldown_gets_that_scan_back(org):
    recent, fresh = DomainFactory.create_batch(2, organization=org)
    now = timezone.now()
    done = Scan.objects.create(
        domain=recent,
        trigger=ScanTrigger.WEB,
        status=ScanStatus.DONE,
        requested_at=now - timedelta(seconds=20),
        finished_at=now - timedelta(seconds=10),
    )
    scans = scans_request(domains=[recent, fresh])
    assert scans[recent.pk].pk == done.pk
    assert Scan.objects.filter(domain=fresh, status=ScanStatus.QUEUED).count() == 1
    assert Scan.objects.filter(domain=recent).count() == 1


def test_a_new_domain_waiting_for_its_scan_is_not_claimed_again_by_the_next_round(org):
    domain = DomainFactory(organization=org)  # next_scan_at empty: due at once
    scans_request(domains=[domain])
    assert Domain.objects.get(pk=domain.pk).next_scan_at > timezone.now()
    assert scans_schedule_due() == 0
