# ruff: noqa: F811 - pytest fixtures imported from test_scan_alerts are test arguments
"""The verdict-worse alert driven by real scans (Knot DNS, the MTA-STS HTTPS server): opened
only when no more specific cause explains the drop, and resolved when the verdict recovers."""

from __future__ import annotations

import pytest

from notify.dispatch import alerts_dispatch
from notify.models import Alert
from tests.factories import DomainFactory, MembershipFactory
from tests.notify.test_scan_alerts import scan, watched  # noqa: F401
from tests.scans.zones import good_domain, good_policy

pytestmark = pytest.mark.django_db


def _open(domain):
    return {(a.type, a.key): a for a in Alert.objects.filter(domain=domain, resolved_at=None)}


def _the_verdict_alert(domain, severity: str, details: dict) -> Alert:
    """The one open alert of the domain: verdict_worse, with this severity and details."""
    opened = _open(domain)
    assert list(opened) == [("verdict_worse", "verdict")]
    alert = opened[("verdict_worse", "verdict")]
    assert (alert.severity, alert.details) == (severity, details)
    return alert


def _fixing_the_zone_resolves(scan, dns_server, domain, alert: Alert) -> None:
    dns_server.set_zone(domain.name, good_domain(domain.name))
    scan(domain)
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert _open(domain) == {}


def test_a_null_mx_beside_the_real_one_turns_pass_into_warn_and_alerts_until_removed(
    scan, watched, dns_server, zone_name, api_client
):
    dns_server.set_zone(zone_name, [*good_domain(zone_name), "@ MX 20 ."])
    scan(watched)

    worse = {"before": "pass", "after": "warn", "new_findings": "null_mx_mixed"}  # what changed
    alert = _the_verdict_alert(watched, "warning", worse)
    [shown] = api_client(watched.organization).get("/api/v1/alerts/").json()["results"]
    assert (shown["domain"], shown["type"], shown["severity"], shown["state"]) == (
        zone_name,
        "verdict_worse",
        "warning",
        "open",
    )
    assert shown["details"] == worse

    _fixing_the_zone_resolves(scan, dns_server, watched, alert)


def test_a_record_losing_its_destination_turns_warn_into_fail_and_alerts_until_fixed(
    scan, dns_server, mta_sts_server, zone_name, org
):
    raw_bang = [
        r.replace("tlsrpt@", "tls!rpt@") if "TLSRPT" in r else r for r in good_domain(zone_name)
    ]
    dns_server.set_zone(zone_name, raw_bang)
    mta_sts_server.serve(zone_name, good_policy(zone_name))
    domain = DomainFactory(organization=org, name=zone_name)
    scan(domain)
    domain.refresh_from_db()
    assert domain.scan_verdict == "warn"
    assert _open(domain) == {}  # a first scan has nothing to compare with

    no_rua = [r if "TLSRPT" not in r else '_smtp._tls TXT "v=TLSRPTv1;"' for r in raw_bang]
    dns_server.set_zone(zone_name, no_rua)
    scan(domain)

    worse = {"before": "warn", "after": "fail", "new_findings": "rua_missing"}
    alert = _the_verdict_alert(domain, "critical", worse)

    _fixing_the_zone_resolves(scan, dns_server, domain, alert)


def test_a_verdict_that_stays_worse_is_one_alert_sent_once(
    scan, watched, dns_server, zone_name, smtp_server
):
    MembershipFactory(organization=watched.organization, user__email="oncall@alpha.example")
    dns_server.set_zone(zone_name, [*good_domain(zone_name), "@ MX 20 ."])
    scan(watched)
    assert alerts_dispatch().alerts == 1

    scan(watched)  # still warn: the same alert, muted

    assert Alert.objects.filter(domain=watched, type="verdict_worse").count() == 1
    assert alerts_dispatch().alerts == 0
    [mail] = smtp_server.wait_for(1)
    assert zone_name in mail["Subject"]
