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


def test_a_null_mx_domain_offers_no_record_to_publish_and_says_why_it_has_no_score(client, org):
    domain = DomainFactory(organization=org, name="nomail.example", scan_verdict="not_applicable")
    null_mx = {"kind": "null", "hosts": [], "records": [{"preference": 0, "exchange": "."}]}
    finding = {"code": "null_mx", "severity": "info", "message": "The domain accepts no mail."}
    Scan.objects.create(
        domain=domain,
        trigger="schedule",
        status="done",
        verdict="not_applicable",
        findings=[finding],
        result={"mx": null_mx, "records": {}, "mta_sts": {"status": None}},
    )
    login(client, org, Role.OWNER)
    page = client.get(f"/o/{org.slug}/domains/{domain.pk}/").content.decode()
    assert 'id="reporting"' not in page
    assert "v=TLSRPTv1" not in page
    assert "there is no TLS-RPT record to publish" in page
    score = page.split('id="score">')[1].split("</dd>")[0]
    assert "no score: TLS-RPT does not apply to this domain" in score
    history = page.split('id="history"')[1]
    history_score = history.split('data-label="Score">')[1].split("</td>")[0]
    assert "no score: TLS-RPT does not apply" in history_score


def test_the_history_names_the_record_each_change_is_about(client, org, scanned_domain):
    scan = scanned_domain.scans.get()
    scan.changes.create(
        domain=scanned_domain,
        kind="record_changed",
        subject="smtp_tls",
        before="v=TLSRPTv1; rua=mailto:old@page.example",
        after="v=TLSRPTv1; rua=mailto:new@page.example",
    )
    scan.changes.create(domain=scanned_domain, kind="record_removed", subject="mx", before="mx1")
    login(client, org, Role.VIEWER)
    page = client.get(f"/o/{org.slug}/domains/{scanned_domain.pk}/").content.decode()
    history = page.split('id="history"')[1].split("</table>")[0]
    assert "Record changed</span> <strong>TXT _smtp._tls.page.example</strong>" in history
    assert "rua=mailto:new@page.example" in history
    assert "Record removed</span> <strong>MX page.example</strong>" in history


def redated_sample(path: str, day) -> bytes:
    """A real sample with its period moved to ``day`` (the page shows the last 30 days)."""
    import json

    from tests.reports.samples import SAMPLES_DIR

    document = json.loads((SAMPLES_DIR / path).read_bytes())
    document["date-range"] = {
        "start-datetime": f"{day.isoformat()}T00:00:00Z",
        "end-datetime": f"{day.isoformat()}T23:59:59Z",
    }
    document["report-id"] += f"-{day.isoformat()}"
    return json.dumps(document).encode()


def ingest_recent(org, path: str, days_ago: int = 1) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from reports.models import Channel
    from reports.services import report_ingest_bytes

    day = timezone.now().date() - timedelta(days=days_ago)
    payload = redated_sample(path, day)
    summary = report_ingest_bytes(
        organization=org, payload=payload, channel=Channel.HTTPS, source="t"
    )
    assert summary.accepted == 1


def test_the_chart_and_the_breakdowns_show_a_real_reports_failures(client, org):
    """GIVEN the RFC 8460 sample (5,326 ok, 303 failed in three result types at three MX
    hosts) received yesterday THEN the 30-day chart, its text table, the failure types with
    their plain explanation, the MX hosts and the reporter carry those numbers."""
    from core.result_types import describe

    domain = DomainFactory(organization=org, name="company-y.example")
    ingest_recent(org, "tlsrpt_processor/sample.json")
    login(client, org, Role.VIEWER)
    page = client.get(f"/o/{org.slug}/domains/{domain.pk}/").content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and 'id="sessions-chart"' in page
    assert "Successful sessions: 5,326 sessions. Failed sessions: 303 sessions." in page
    table = page.split('id="reports"')[1].split("</table>")[0]
    assert '<td class="num">5326</td>' in table
    by_type = page.split('id="by-result-type"')[1].split("</table>")[0]
    for code, failed in (("starttls-not-supported", 200), ("certificate-expired", 100)):
        row = by_type.split(f'title="{code}"')[1].split("</tr>")[0]
        assert describe(code).label in row and describe(code).explanation in row
        assert f'<td class="num">{failed}</td>' in row
    by_mx = page.split('id="by-receiving-mx"')[1].split("</table>")[0]
    assert "mx2.mail.company-y.example" in by_mx
    by_reporter = page.split('id="by-reporter"')[1].split("</table>")[0]
    assert "Company-X" in by_reporter and "5.4 %" in by_reporter


def test_breadcrumbs_name_the_msp_and_the_client(client, msp, client_org):
    domain = DomainFactory(organization=client_org, name="client.example")
    login(client, msp, Role.OWNER)
    page = client.get(f"/o/{msp.slug}/domains/{domain.pk}/").content.decode()
    crumbs = page.split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert crumbs.index(msp.name) < crumbs.index(client_org.name) < crumbs.index("client.example")
    assert f'href="/o/{client_org.slug}/"' in crumbs


def test_the_domain_page_query_count_does_not_grow_with_reports_or_scans(client, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    domain = DomainFactory(organization=org, name="company-y.example")
    login(client, org, Role.VIEWER)
    counts = []
    for days_ago in (1, 2, 3, 4, 5):
        ingest_recent(org, "tlsrpt_processor/sample.json", days_ago=days_ago)
        Scan.objects.create(domain=domain, trigger="schedule", status="done", verdict="pass")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/o/{org.slug}/domains/{domain.pk}/").status_code == 200
        counts.append(len(queries))
    # session, user, organization, membership, domain, its tags, scans, their changes, recent
    # reports and their policies, the quarantine badge, and three trends (domain in scope,
    # day sums, top keys, their days; failure splits add the failures' day sums): 11 + 14
    assert counts == [26] * 5


def test_recent_reports_count_this_domains_sessions_of_a_report_that_covers_several(client, org):
    from reports.models import Channel
    from reports.services import report_ingest_bytes
    from tests.reports.conftest import policy, report_json

    mine = DomainFactory(organization=org, name="mine.example")
    DomainFactory(organization=org, name="sibling.example")
    policies = [policy("sts", "mine.example", 7, 1), policy("sts", "sibling.example", 500, 90)]
    payload = report_json(policies=policies)
    report_ingest_bytes(organization=org, payload=payload, channel=Channel.HTTPS, source="t")
    login(client, org, Role.VIEWER)
    page = client.get(f"/o/{org.slug}/domains/{mine.pk}/").content.decode()
    recent = page.split('id="recent-reports"')[1].split("</table>")[0]
    assert 'data-label="Sessions">8</td>' in recent
    assert "590" not in recent and "598" not in recent
