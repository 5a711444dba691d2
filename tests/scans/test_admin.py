"""The operator admin shows scans as people read them: findings with severity labels and
fixes, records as text, and a change for the worse as a warning; never the stored JSON."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import Domain
from scans.models import Scan, ScanChange
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def demo():
    call_command("seed_demo", password="a-long-demo-password", stdout=None)
    call_command("seed_demo_activity", stdout=None)


def test_the_admin_is_branded_tlsmon_administration(operator):
    page = operator.get("/admin/").content.decode()
    assert "<title>TLSMon administration | TLSMon administration</title>" in page
    assert '<a href="/admin/">TLSMon administration</a>' in page
    assert "Django administration" not in page
    assert "Site administration" not in page


def test_a_scan_shows_severity_labels_messages_fixes_and_records_as_text(operator, demo):
    scan = Scan.objects.get(domain__name="acme.test")  # the demo's domain without a record
    finding = scan.findings[0]

    page = operator.get(f"/admin/scans/scan/{scan.pk}/change/").content.decode()

    assert finding["code"] == "missing_record"
    assert "<th>Severity</th><th>Finding</th><th>Fix</th>" in page
    assert "<strong>Critical</strong>" in page
    assert f"<td>{finding['message']}<br><code>missing_record</code></td>" in page
    fix = finding["fix"].replace('"', "&quot;")
    assert f'<pre style="white-space: pre-wrap; margin: 0">{fix}</pre>' in page
    assert "_smtp._tls.acme.test TXT (nxdomain):" in page
    assert "MX (normal): 10 mx1.acme.test, 20 mx2.acme.test" in page
    assert "No TLS-RPT record" in page  # the gap, by its label
    assert "MTA-STS status:" in page
    assert "&quot;severity&quot;" not in page  # no JSON blob
    assert "&quot;smtp_tls&quot;" not in page


def test_the_authorization_of_an_external_destination_is_a_labelled_line(operator, demo):
    scan = Scan.objects.get(domain__name="shop.acme.example")

    page = operator.get(f"/admin/scans/scan/{scan.pk}/change/").content.decode()

    host = scan.result["external_authorizations"][0]["rua_host"]
    assert f"Authorization of {host}: Missing (shop.acme.example._report._tls.{host} TXT)" in page


def test_a_change_for_the_worse_is_a_warning_not_a_green_tick(operator, demo):
    scan = Scan.objects.get(domain__name="acme.example")
    ScanChange.objects.create(
        domain=scan.domain, scan=scan, kind="record_removed", subject="smtp_tls", worse=True
    )
    ScanChange.objects.create(
        domain=scan.domain, scan=scan, kind="record_added", subject="mta_sts", worse=False
    )

    listing = operator.get("/admin/scans/scanchange/").content.decode()
    detail = operator.get(f"/admin/scans/scan/{scan.pk}/change/").content.decode()

    for page in (listing, detail):
        assert page.count("⚠ worse") == 1
        assert "icon-yes.svg" not in page
    assert "Record removed" in listing  # the kind, by its label


def test_the_domain_admin_shows_gap_labels_and_the_demo_flag(operator, demo):
    domain = Domain.objects.get(name="acme.test")

    page = operator.get(f"/admin/accounts/domain/{domain.pk}/change/").content.decode()

    assert "No TLS-RPT record" in page
    assert "[&quot;no_record&quot;" not in page
    assert "Demo data: scans replay" in page
