"""Scanning domains end to end against real DNS (Knot) and HTTPS on loopback, stored in
PostgreSQL: history rows, the domain's latest state, changes, and the scheduler's claims."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from accounts.models import Domain
from scans.dns import build_resolver
from scans.lease import running_lease
from scans.models import ChangeKind, Scan, ScanStatus
from scans.services import scan_domains, scans_schedule_due
from tests.factories import DomainFactory
from tests.scans.zones import good_domain, good_policy, no_record_domain
from tlsmon.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def scan(resolver, fetcher):
    def run(*domains, **kwargs):
        return scan_domains(
            domain_ids=[d.pk for d in domains], resolver=resolver, fetcher=fetcher, **kwargs
        )

    return run


def test_a_scan_stores_history_and_the_domains_latest_state(
    scan, dns_server, mta_sts_server, zone_name, org
):
    dns_server.set_zone(zone_name, good_domain(zone_name))
    mta_sts_server.serve(zone_name, good_policy(zone_name))
    domain = DomainFactory(organization=org, name=zone_name)

    summary = scan(domain)

    assert summary.scanned == 1 and summary.verdicts == {"pass": 1}
    stored = Scan.objects.get(domain=domain)
    assert stored.status == ScanStatus.DONE
    assert stored.verdict == "pass" and stored.score == 100
    assert stored.result["records"]["smtp_tls"] == [f"v=TLSRPTv1; rua=mailto:tlsrpt@{zone_name}"]
    assert stored.result["mta_sts"]["mode"] == "enforce"
    assert stored.duration_ms is not None
    domain.refresh_from_db()
    assert (domain.scan_verdict, domain.scan_score, domain.scan_gaps) == ("pass", 100, [])
    assert (domain.scan_mta_sts, stored.mta_sts_status) == ("enforce", "enforce")
    assert domain.scanned_at == stored.finished_at
    day = timedelta(hours=24)  # the first scan: the next one is at least an interval later
    assert stored.finished_at + day <= domain.next_scan_at < stored.finished_at + 2 * day


def test_the_first_scheduled_scan_after_the_on_add_scan_is_at_least_an_interval_later(
    scan, dns_server, zone_name, org
):
    """GIVEN a domain just added (never scanned, due at once) WHEN the scheduler's round scans
    it THEN its next scan is at least one interval later; while a later scheduled scan is
    followed by the domain's next slot, at most one interval on."""
    dns_server.set_zone(zone_name, good_domain(zone_name))
    domain = DomainFactory(organization=org, name=zone_name)
    interval = timedelta(hours=org.scan_interval_hours)
    scan(domain)
    domain.refresh_from_db()
    assert domain.next_scan_at - domain.scanned_at >= interval
    scan(domain)  # its slot has come
    domain.refresh_from_db()
    assert domain.scanned_at < domain.next_scan_at <= domain.scanned_at + interval


def test_an_unreachable_policy_host_is_stored_as_mta_sts_broken_beside_a_pass(
    scan, dns_server, zone_name, org
):
    """
    GIVEN a good TLS-RPT record and an _mta-sts TXT, but no address for mta-sts.<domain>
    WHEN the domain is scanned and stored
    THEN scan and domain say verdict pass, MTA-STS broken, gap mta_sts_broken, and the
         MTA-STS finding is kept on its own axis of the stored result
    """
    records = [line for line in good_domain(zone_name) if not line.startswith("mta-sts ")]
    dns_server.set_zone(zone_name, records)
    domain = DomainFactory(organization=org, name=zone_name)

    scan(domain)

    stored = Scan.objects.get(domain=domain)
    assert (stored.verdict, stored.mta_sts_status, stored.gaps) == (
        "pass",
        "broken",
        ["mta_sts_broken"],
    )
    assert stored.findings == []
    assert stored.result["mta_sts"]["status"] == "broken"
    sts_codes = [f["code"] for f in stored.result["mta_sts"]["findings"]]
    assert sts_codes == ["mta_sts_policy_fetch_failed"]
    domain.refresh_from_db()
    assert (domain.scan_verdict, domain.scan_mta_sts, domain.scan_gaps) == (
        "pass",
        "broken",
        ["mta_sts_broken"],
    )


def test_a_domain_without_a_record_fails_with_the_gap_recorded(scan, dns_server, zone_name, org):
    dns_server.set_zone(zone_name, no_record_domain(zone_name))
    domain = DomainFactory(organization=org, name=zone_name)
    scan(domain)
    domain.refresh_from_db()
    assert domain.scan_verdict == "fail"
    assert "no_record" in domain.scan_gaps
    codes = [f["code"] for f in Scan.objects.get(domain=domain).findings]
    assert "missing_record" in codes


def test_removing_the_record_is_recorded_as_a_change_that_is_worse(
    scan, dns_server, mta_sts_server, zone_name, org
):
    dns_server.set_zone(zone_name, good_domain(zone_name))
    mta_sts_server.serve(zone_name, good_policy(zone_name))
    domain = DomainFactory(organization=org, name=zone_name)
    scan(domain)
    dns_server.set_zone(zone_name, [r for r in good_domain(zone_name) if "TLSRPT" not in r])

    scan(domain)

    latest = Scan.objects.filter(domain=domain).order_by("-finished_at").first()
    changes = {(c.kind, c.subject): c for c in latest.changes.all()}
    assert changes[(ChangeKind.RECORD_REMOVED, "smtp_tls")].worse
    verdict = changes[(ChangeKind.VERDICT_CHANGED, "verdict")]
    assert (verdict.before, verdict.after, verdict.worse) == ("pass", "fail", True)


def test_switching_mta_sts_to_testing_is_recorded(scan, dns_server, mta_sts_server, zone_name, org):
    dns_server.set_zone(zone_name, good_domain(zone_name))
    mta_sts_server.serve(zone_name, good_policy(zone_name))
    domain = DomainFactory(organization=org, name=zone_name)
    scan(domain)
    mta_sts_server.serve(zone_name, good_policy(zone_name, mode="testing"))
    scan(domain)
    kinds = set(Scan.objects.filter(domain=domain).first().changes.values_list("kind", flat=True))
    assert ChangeKind.MTA_STS_MODE_CHANGED in kinds


def test_a_dns_failure_gives_error_never_fail(scan, dns_server, zone_name, org):
    dns_server.set_broken_zone(zone_name)  # Knot answers SERVFAIL inside it
    domain = DomainFactory(organization=org, name=zone_name)
    scan(domain)
    domain.refresh_from_db()
    assert domain.scan_verdict == "error"
    assert domain.scan_gaps == ["dns_error"]


def test_a_scanner_crash_on_one_domain_does_not_stop_the_others(
    resolver, fetcher, dns_server, zone_name, org
):
    """GIVEN two domains, WHEN the lookup for one raises an unexpected exception (a bug,
    injected through our resolver seam), THEN that scan is FAILED with the error and the
    other domain is scanned normally."""
    dns_server.set_zone(zone_name, no_record_domain(zone_name))
    healthy = DomainFactory(organization=org, name=zone_name)
    broken = DomainFactory(organization=org, name=f"broken.{zone_name}")

    class Exploding:
        def __getattr__(self, name):
            return getattr(resolver, name)

        async def mx(self, name):
            if name.startswith("broken."):
                raise RuntimeError("bug in a parser")
            return await resolver.mx(name)

    summary = scan_domains(
        domain_ids=[healthy.pk, broken.pk], resolver=Exploding(), fetcher=fetcher
    )

    assert (summary.scanned, summary.failed) == (1, 1)
    failed = Scan.objects.get(domain=broken)
    assert failed.status == ScanStatus.FAILED and "bug in a parser" in failed.error
    assert Scan.objects.get(domain=healthy).verdict == "fail"
    broken.refresh_from_db()
    assert broken.scan_verdict == ""  # no verdict invented for a crash


def test_tlsmons_side_is_looked_up_by_first_and_on_demand_scans_not_by_scheduled_rescans(
    scan, dns_server, zone_name, org, settings
):
    """Onboarding needs it; the scheduled rounds over every domain would pay two lookups a
    domain for it (bench/README.md "scan"), so they skip it."""
    settings.TLSMON_REPORT_DOMAIN = f"reports-{zone_name.split('.')[0]}.example"
    dns_server.set_zone(zone_name, no_record_domain(zone_name))
    dns_server.set_zone(settings.TLSMON_REPORT_DOMAIN, ['*._report._tls TXT "v=TLSRPTv1;"'])
    domain = DomainFactory(organization=org, name=zone_name)

    def looked_up():
        result = Scan.objects.filter(domain=domain).latest("pk").result
        return [(a["host"], a["status"]) for a in result["tlsmon_authorizations"]]

    wildcard = [(settings.TLSMON_REPORT_DOMAIN, "wildcard_authorized")]
    scan(domain)  # the first scan, scheduled
    assert looked_up() == wildcard
    scan(domain)  # a scheduled rescan
    assert looked_up() == []
    scan(domain, trigger="web")  # Scan now / Check again
    assert looked_up() == wildcard


def test_paused_domains_are_not_scanned(scan, org):
    paused = DomainFactory(organization=org, is_active=False)
    assert scan(paused).scanned == 0
    assert not Scan.objects.exists()


class TestScheduler:
    def test_due_domains_are_claimed_once_and_paused_ones_never(
        self, org, django_capture_on_commit_callbacks
    ):
        now = timezone.now()
        due = DomainFactory.create_batch(3, organization=org)  # never scanned: due now
        later = DomainFactory(organization=org, next_scan_at=now + timedelta(hours=2))
        paused = DomainFactory(organization=org, is_active=False)

        with django_capture_on_commit_callbacks() as enqueued:
            assert scans_schedule_due(now=now) == 3
        assert len(enqueued) == 1  # one chunk
        with django_capture_on_commit_callbacks():
            assert scans_schedule_due(now=now) == 0  # claimed: not enqueued twice
        lease = {d.pk: d.next_scan_at for d in Domain.objects.all()}
        assert all(lease[d.pk] > now for d in due)
        assert lease[later.pk] == later.next_scan_at
        assert lease[paused.pk] is None

    def test_big_rounds_fan_out_in_chunks(self, org, settings, django_capture_on_commit_callbacks):
        settings.TLSMON_SCAN_CHUNK_SIZE = 4
        DomainFactory.create_batch(10, organization=org)
        with django_capture_on_commit_callbacks() as enqueued:
            assert scans_schedule_due() == 10
        assert len(enqueued) == 3  # 4 + 4 + 2

    def test_a_chunk_whose_worker_died_is_claimed_again_after_the_running_lease(
        self, org, settings, django_capture_on_commit_callbacks
    ):
        """GIVEN a claimed round whose chunk a worker started (running lease held) WHEN the
        worker dies (the lease is no longer renewed) THEN the round one running lease later
        claims those domains again, long before the hour-long claim lease."""
        settings.TLSMON_SCAN_RUNNING_LEASE = 60
        domains = DomainFactory.create_batch(2, organization=org)
        now = timezone.now()
        with django_capture_on_commit_callbacks():
            scans_schedule_due(now=now)
        with running_lease([d.pk for d in domains]):
            pass  # the worker started the chunk, then died: nothing stored, no renewals
        with django_capture_on_commit_callbacks():
            assert scans_schedule_due(now=timezone.now() + timedelta(seconds=30)) == 0
        with django_capture_on_commit_callbacks():
            assert scans_schedule_due(now=timezone.now() + timedelta(seconds=61)) == 2

    def test_a_chunk_lost_with_its_worker_is_claimed_again_after_the_lease(
        self, org, settings, django_capture_on_commit_callbacks
    ):
        """GIVEN a round whose chunk task never runs (the worker died and the message was
        lost), WHEN the lease has passed, THEN the next round claims the same domains."""
        settings.TLSMON_SCAN_LEASE_MINUTES = 60
        domains = DomainFactory.create_batch(2, organization=org)
        now = timezone.now()
        with django_capture_on_commit_callbacks():  # enqueue callbacks dropped: task lost
            scans_schedule_due(now=now)
        with django_capture_on_commit_callbacks():
            assert scans_schedule_due(now=now + timedelta(minutes=30)) == 0
        with django_capture_on_commit_callbacks():
            assert scans_schedule_due(now=now + timedelta(minutes=61)) == len(domains)


def test_the_fix_for_a_missing_record_names_the_tenants_own_tlsmon_address(
    scan, dns_server, zone_name, org, settings
):
    settings.TLSMON_REPORT_DOMAIN = "reports.tlsmon.example"
    settings.TLSMON_BASE_URL = "https://tlsmon.example"
    dns_server.set_zone(zone_name, no_record_domain(zone_name))
    domain = DomainFactory(organization=org, name=zone_name)
    scan(domain)
    finding = next(
        f for f in Scan.objects.get(domain=domain).findings if f["code"] == "missing_record"
    )
    record = (
        f"v=TLSRPTv1; rua=mailto:{org.report_token}@reports.tlsmon.example,"
        f"https://tlsmon.example/tlsrpt/{org.report_token}/"
    )
    assert f'_smtp._tls.{zone_name}. 3600 IN TXT "{record}"' in finding["fix"]
    assert "is an example" not in finding["fix"]


@pytest.mark.django_db(transaction=True)
def test_a_running_chunk_holds_its_domains_for_a_renewed_running_lease(
    silent_dns_server, org, settings, monkeypatch
):
    """GIVEN a claimed domain whose checks take seconds (its nameserver never answers) WHEN a
    worker scans it THEN, seen from another connection, the hour-long claim shrinks to the
    running lease, which is renewed while the chunk runs, and the real slot is stored after."""
    settings.TLSMON_SCAN_RUNNING_LEASE = 3  # renewed every second
    # The claim only queues the chunk (the quickstart shape would scan it right away).
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    domain = DomainFactory(organization=org)
    scans_schedule_due()
    claimed = Domain.objects.get(pk=domain.pk).next_scan_at
    slow = build_resolver([silent_dns_server.address], timeout=1.5, retries=1)

    def work() -> None:
        try:
            scan_domains(domain_ids=[domain.pk], resolver=slow, fetcher=None)
        finally:
            connections.close_all()  # the "worker" thread's own connection

    worker = threading.Thread(target=work)
    worker.start()
    seen = []
    while worker.is_alive():
        seen.append((timezone.now(), Domain.objects.get(pk=domain.pk).next_scan_at))
        time.sleep(0.25)
    worker.join()
    running = [(at, until) for at, until in seen if until < claimed]
    assert running, "the claim lease was never shortened"
    assert all(until <= at + timedelta(seconds=3.5) for at, until in running)
    assert len({until for _, until in running}) > 1  # renewed
    scanned = Domain.objects.get(pk=domain.pk)
    assert scanned.next_scan_at - scanned.scanned_at >= timedelta(hours=org.scan_interval_hours)
