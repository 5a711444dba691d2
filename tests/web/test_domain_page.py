"""The domain page: latest findings with fixes, history, and "Scan now" for members."""

from __future__ import annotations

import pytest

from accounts.models import Role
from scans.models import Scan
from tests.factories import DomainFactory
from tests.web.helpers import login

pytestmark = pytest.mark.django_db

FINDING = {
    "code": "missing_record",
    "severity": "critical",
    "message": "No TLS-RPT record is published.",
    "fix": '_smtp._tls.page.example. 3600 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@page.example"',
}


@pytest.fixture
def scanned_domain(org):
    domain = DomainFactory(organization=org, name="page.example", scan_verdict="fail")
    Scan.objects.create(
        domain=domain,
        trigger="schedule",
        status="done",
        verdict="fail",
        score=0,
        findings=[FINDING],
        result={"mx": {"kind": "normal", "hosts": ["mx1.page.example"]}, "records": {}},
    )
    return domain


def test_a_viewer_sees_the_findings_with_their_fix_and_no_scan_button(client, org, scanned_domain):
    login(client, org, Role.VIEWER)
    page = client.get(f"/o/{org.slug}/domains/{scanned_domain.pk}/").content.decode()
    assert "missing_record" in page
    assert "v=TLSRPTv1; rua=mailto:tlsrpt@page.example" in page
    assert "mx1.page.example" in page
    assert 'id="scan-now"' not in page


def test_the_page_shows_the_verdict_and_the_mta_sts_status_with_its_own_findings(client, org):
    """GIVEN a domain that passes TLS-RPT while its MTA-STS policy host is unreachable
    THEN the page shows both axes and lists the MTA-STS finding under MTA-STS, not under the
    findings that decide the verdict."""
    domain = DomainFactory(
        organization=org, name="sts.example", scan_verdict="pass", scan_mta_sts="broken"
    )
    sts_finding = {**FINDING, "code": "mta_sts_policy_fetch_failed", "severity": "warning"}
    result = {"records": {}, "mta_sts": {"status": "broken", "findings": [sts_finding]}}
    Scan.objects.create(
        domain=domain,
        trigger="schedule",
        status="done",
        verdict="pass",
        mta_sts_status="broken",
        result=result,
    )
    login(client, org, Role.VIEWER)
    page = client.get(f"/o/{org.slug}/domains/{domain.pk}/").content.decode()
    assert '<span class="verdict pass" id="verdict">Pass</span>' in page
    assert '<span class="sts broken" id="mta-sts">Broken</span>' in page
    findings, sts_part = page.split('id="findings"')[1].split('id="mta-sts-findings"')
    assert "mta_sts_policy_fetch_failed" not in findings
    assert "mta_sts_policy_fetch_failed" in sts_part.split("</table>")[0]


def test_the_organization_page_links_each_domain_with_its_verdict(client, org, scanned_domain):
    login(client, org, Role.VIEWER)
    page = client.get(f"/o/{org.slug}/").content.decode()
    assert f'href="/o/{org.slug}/domains/{scanned_domain.pk}/"' in page
    assert 'class="verdict fail"' in page
    assert 'class="sts' not in page  # not scanned for MTA-STS yet: no status shown


def test_a_member_queues_a_scan_from_the_page(
    client, org, scanned_domain, django_capture_on_commit_callbacks
):
    login(client, org, Role.MEMBER)
    with django_capture_on_commit_callbacks() as enqueued:
        response = client.post(f"/o/{org.slug}/domains/{scanned_domain.pk}/", follow=True)
    assert "queued" in response.content.decode()
    assert len(enqueued) == 1
    assert Scan.objects.filter(domain=scanned_domain, status="queued", trigger="web").exists()


def test_a_viewer_cannot_queue_a_scan(client, org, scanned_domain):
    login(client, org, Role.VIEWER)
    assert client.post(f"/o/{org.slug}/domains/{scanned_domain.pk}/").status_code == 403


def test_another_organizations_domain_is_404_even_through_my_own_slug(
    client, org, other_org, scanned_domain
):
    theirs = DomainFactory(organization=other_org)
    login(client, org, Role.OWNER)
    assert client.get(f"/o/{org.slug}/domains/{theirs.pk}/").status_code == 404
    assert client.post(f"/o/{org.slug}/domains/{theirs.pk}/").status_code == 404
    assert client.get(f"/o/{other_org.slug}/domains/{theirs.pk}/").status_code == 404
    assert not Scan.objects.filter(domain=theirs).exists()


def test_the_page_shows_daily_sessions_and_the_most_frequent_failures(client, org, scanned_domain):
    """GIVEN a stored report with a failure for the domain, THEN its day, totals and the
    failure type with its MX host are on the page (read from the daily roll-ups)."""
    from datetime import timedelta

    from django.utils import timezone

    from demo.reports import demo_reports
    from reports.bulk import reports_ingest_many

    today = timezone.now().date()
    payloads = list(demo_reports(scanned_domain.name, today=today, days=3))
    summary = reports_ingest_many(organization=org, items=payloads)
    assert summary.accepted == 6
    login(client, org, Role.VIEWER)
    page = client.get(f"/o/{org.slug}/domains/{scanned_domain.pk}/").content.decode()
    assert (today - timedelta(days=1)).isoformat() in page
    assert "No reports received" not in page


def test_reports_of_another_organization_for_the_same_name_never_show(
    client, org, other_org, scanned_domain
):
    from django.utils import timezone

    from demo.reports import demo_reports
    from reports.bulk import reports_ingest_many

    theirs = DomainFactory(organization=other_org, name=scanned_domain.name)
    items = demo_reports(theirs.name, today=timezone.now().date(), days=2)
    assert reports_ingest_many(organization=other_org, items=items).accepted == 4
    login(client, org, Role.VIEWER)
    page = client.get(f"/o/{org.slug}/domains/{scanned_domain.pk}/").content.decode()
    assert "No reports received in this period." in page


def test_the_page_shows_the_record_that_sends_reports_to_this_tenants_address(
    client, msp, client_org
):
    """An MSP owner looking at a client's domain gets the client's address, not the MSP's."""
    domain = DomainFactory(organization=client_org, name="client.example")
    login(client, msp, Role.OWNER)
    page = client.get(f"/o/{msp.slug}/domains/{domain.pk}/").content.decode()
    assert f"mailto:{client_org.report_token}@" in page
    assert msp.report_token not in page
