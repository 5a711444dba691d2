"""Alerts driven by real scans: Knot DNS and the MTA-STS HTTPS server on loopback, the scan
chunk stored by ``scans.services`` and evaluated by the hook after its commit."""

from __future__ import annotations

import pytest

from notify.models import Alert
from scans.dns import build_resolver
from scans.services import scan_domains
from tests.factories import DomainFactory
from tests.scans.servers import PolicyResponse
from tests.scans.zones import good_domain, good_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def scan(resolver, fetcher, django_capture_on_commit_callbacks):
    """Scan like a worker's chunk: the evaluation runs from the commit hook."""

    def run(*domains, using=None):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            scan_domains(
                domain_ids=[d.pk for d in domains], resolver=using or resolver, fetcher=fetcher
            )
        assert callbacks, "the scan chunk announced itself after its commit"

    return run


@pytest.fixture
def watched(scan, dns_server, mta_sts_server, zone_name, org):
    """A domain with a good record and an enforced MTA-STS policy, scanned once."""
    dns_server.set_zone(zone_name, good_domain(zone_name))
    mta_sts_server.serve(zone_name, good_policy(zone_name))
    domain = DomainFactory(organization=org, name=zone_name)
    scan(domain)
    assert not Alert.objects.exists()
    return domain


def _open(domain):
    return {(a.type, a.key): a for a in Alert.objects.filter(domain=domain, resolved_at=None)}


def test_a_removed_record_opens_one_alert_and_publishing_it_again_resolves_it(
    scan, watched, dns_server, zone_name
):
    dns_server.set_zone(zone_name, [r for r in good_domain(zone_name) if "TLSRPT" not in r])
    scan(watched)

    opened = _open(watched)
    assert list(opened) == [("record_removed", "smtp_tls")]
    alert = opened[("record_removed", "smtp_tls")]
    assert (alert.severity, alert.organization_id) == ("critical", watched.organization_id)

    dns_server.set_zone(zone_name, good_domain(zone_name))
    scan(watched)

    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert _open(watched) == {}


def test_a_record_that_became_invalid_opens_an_alert(scan, watched, dns_server, zone_name):
    broken = [
        r if "TLSRPT" not in r else '_smtp._tls TXT "v=TLSRPTv1; rua=ftp://reports.example"'
        for r in good_domain(zone_name)
    ]
    dns_server.set_zone(zone_name, broken)
    scan(watched)

    assert set(_open(watched)) == {("record_invalid", "smtp_tls")}


def test_an_unfetchable_policy_opens_a_critical_alert(scan, watched, mta_sts_server, zone_name):
    mta_sts_server.serve(zone_name, PolicyResponse(status=404, body="gone"))
    scan(watched)

    alert = _open(watched)[("mta_sts_unfetchable", "policy")]
    assert alert.severity == "critical"  # the policy was enforced
    assert alert.group_key == f"mta-sts:mta-sts.{zone_name}"


def test_a_mode_downgrade_opens_an_alert(scan, watched, mta_sts_server, zone_name):
    mta_sts_server.serve(zone_name, good_policy(zone_name, mode="testing"))
    scan(watched)

    alert = _open(watched)[("mta_sts_mode_changed", "mode")]
    assert alert.details == {"before": "enforce", "after": "testing"}


def test_mx_patterns_that_no_longer_cover_the_mx_open_an_alert(
    scan, watched, dns_server, zone_name
):
    moved = [r.replace("mx1", "mx2") if " MX " in r else r for r in good_domain(zone_name)]
    dns_server.set_zone(zone_name, [*moved, "mx2 A 192.0.2.11"])
    scan(watched)

    alert = _open(watched)[("mta_sts_mx_not_covered", "mx")]
    assert alert.severity == "critical"  # enforce mode: senders would refuse the new MX
    assert alert.group_key == f"mta-sts:mta-sts.{zone_name}"


def test_an_external_destination_losing_its_authorization_opens_an_alert(
    scan, dns_server, mta_sts_server, zone_name, org
):
    vendor = f"rpt-{zone_name.split('.')[0]}.example"  # another registrable domain
    dns_server.set_zone(zone_name, good_domain(zone_name, rua=f"mailto:tlsrpt@{vendor}"))
    dns_server.set_zone(vendor, [f'{zone_name}._report._tls TXT "v=TLSRPTv1"'])
    mta_sts_server.serve(zone_name, good_policy(zone_name))
    domain = DomainFactory(organization=org, name=zone_name)
    scan(domain)
    dns_server.set_zone(vendor, ['@ TXT "nothing here"'])

    scan(domain)

    opened = _open(domain)
    assert list(opened) == [("external_unauthorized", vendor)]  # not a verdict alert too
    assert opened[("external_unauthorized", vendor)].group_key == f"rua:{vendor}"


def test_a_scan_that_could_not_tell_keeps_open_alerts_open(
    scan, watched, dns_server, zone_name, silent_dns_server
):
    dns_server.set_zone(zone_name, [r for r in good_domain(zone_name) if "TLSRPT" not in r])
    scan(watched)
    silent = build_resolver([silent_dns_server.address], timeout=0.2, retries=0)

    scan(watched, using=silent)  # DNS times out

    watched.refresh_from_db()
    assert watched.scan_verdict == "error"
    assert set(_open(watched)) == {("record_removed", "smtp_tls")}
