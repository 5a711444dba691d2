"""An organization with one domain per coverage gap kind, and a moment a weekly digest is due;
the scan tests' real servers (Knot DNS, the MTA-STS HTTPS server) for alert tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Role
from tests.factories import DomainFactory, MembershipFactory
from tests.scans.conftest import (  # noqa: F401 - fixtures
    dns_server,
    dns_settings,
    fetcher,
    mta_sts_server,
    resolver,
    silent_dns_server,
    zone_name,
)

# 2026-12-07 is a Monday; owners' and admins' default digest is weekly, Monday 07:00 UTC.
DUE = datetime(2026, 12, 7, 7, 5, tzinfo=UTC)
NEXT_WEEK = DUE + timedelta(days=7)

GAP_DOMAINS = {
    "no_record": "norecord.example",
    "broken_record": "broken.example",
    "external_unauthorized": "external.example",
    "no_mta_sts": "nosts.example",
    "mta_sts_testing": "ststesting.example",
    "mta_sts_broken": "stsbroken.example",
    "dns_error": "dnserror.example",
}
SILENT_DOMAIN = "silent.example"
HEALTHY_DOMAIN = "healthy.example"


def gap_domain(org, name, *kinds, verdict="fail"):
    return DomainFactory(
        organization=org,
        name=name,
        scan_verdict=verdict,
        scan_gaps=list(kinds),
        scanned_at=DUE - timedelta(hours=2),
        last_report_at=DUE - timedelta(hours=3),
    )


def every_gap_kind(org) -> None:
    """One domain per gap kind stored by scans, one silent (record, no report for 10 days) and
    a healthy one."""
    for kind, name in GAP_DOMAINS.items():
        gap_domain(org, name, kind, verdict="error" if kind == "dns_error" else "warn")
    DomainFactory(
        organization=org,
        name=SILENT_DOMAIN,
        scan_verdict="pass",
        scanned_at=DUE - timedelta(hours=2),
        added_at=DUE - timedelta(days=30),
        last_report_at=DUE - timedelta(days=10),
    )
    gap_domain(org, HEALTHY_DOMAIN, verdict="pass")


def member(org, role=Role.OWNER, email=None):
    kwargs = {"user__email": email} if email else {}
    return MembershipFactory(organization=org, role=role, **kwargs)


def send(now=DUE, *args) -> str:
    out = StringIO()
    call_command("send_digests", "--now", now.isoformat(), *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def gapped_org(org):
    every_gap_kind(org)
    return org
