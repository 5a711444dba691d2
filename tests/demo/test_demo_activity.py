"""The quickstart's demo activity: every verdict shows up, and re-running adds nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import Domain
from reports.models import DailyRollup, Report
from scans.models import Scan

pytestmark = pytest.mark.django_db


def seed() -> None:
    call_command("seed_demo", password="a-long-demo-password", stdout=None)
    call_command("seed_demo_activity")


def test_the_demo_domains_show_every_verdict_with_findings():
    seed()
    verdicts = set(Domain.objects.values_list("scan_verdict", flat=True))
    assert verdicts == {"pass", "warn", "fail", "not_applicable", "error"}
    codes = {f["code"] for scan in Scan.objects.all() for f in scan.findings}
    assert {"missing_record", "multiple_records", "rua_unauthorized_external"} <= codes


def test_domains_with_a_record_get_two_weeks_of_reports_rolled_up():
    seed()
    with_reports = Domain.objects.filter(scan_verdict__in=["pass", "warn"])
    assert with_reports.count() == 6
    assert Report.objects.count() == 6 * 14 * 2  # two senders a day
    assert all(d.last_report_at for d in with_reports)
    assert DailyRollup.objects.values("domain").distinct().count() == 6


def test_seeding_twice_adds_no_second_scan_and_no_second_report():
    seed()
    reports = Report.objects.count()
    seed()
    assert Scan.objects.count() == Domain.objects.count() == 12
    assert Report.objects.count() == reports
