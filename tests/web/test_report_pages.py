"""The report list, the report page and the raw JSON download, with real ingested samples."""

from __future__ import annotations

import gzip
import json
from html import escape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from core.result_types import describe
from reports.models import Channel, Report, Submission
from reports.services import email_ingest, report_ingest_bytes
from tests.factories import DomainFactory
from tests.reports.conftest import policy, report_json
from tests.reports.samples import SAMPLES_DIR
from tests.web.helpers import login

pytestmark = pytest.mark.django_db

RFC_SAMPLE = "tlsrpt_processor/sample.json"  # three result types, two repairs


def sample(path: str) -> bytes:
    return (SAMPLES_DIR / path).read_bytes()


def ingest(org, payload: bytes, *, channel=Channel.HTTPS) -> Report:
    summary = report_ingest_bytes(organization=org, payload=payload, channel=channel, source="t")
    assert summary.accepted == 1, summary
    return Report.objects.filter(organization=org).latest("id")


def page_of(client, org, report) -> str:
    response = client.get(f"/o/{org.slug}/reports/{report.pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def rfc_report(org):
    DomainFactory(organization=org, name="company-y.example")
    return ingest(org, gzip.compress(sample(RFC_SAMPLE)))


def test_the_report_page_shows_every_failure_detail_with_its_plain_explanation(
    client, org, rfc_report
):
    login(client, org, Role.VIEWER)
    page = page_of(client, org, rfc_report)
    details = json.loads(sample(RFC_SAMPLE))["policies"][0]["failure-details"]
    assert page.count('class="failure-detail"') == len(details) == 3
    for detail in details:
        kind = describe(detail["result-type"])
        assert escape(kind.explanation) in page
        assert kind.label in page
        assert detail["receiving-mx-hostname"] in page
        assert detail["sending-mta-ip"] in page
        assert f'Failed sessions">{detail["failed-session-count"]}</td>' in page
    assert "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED" in page  # the draft-era failure-error-code
    assert "203.0.113.56" in page


def test_the_report_page_shows_reporter_contact_period_and_policy_counts(client, org, rfc_report):
    login(client, org, Role.VIEWER)
    page = page_of(client, org, rfc_report)
    assert '<dd id="reporter">Company-X</dd>' in page
    assert '<dd id="contact">sts-reporting@company-x.example</dd>' in page
    assert "2016-04-01 00:00 \u2013 2016-04-01 23:59" in page
    assert '<span class="figure">5326</span>successful sessions' in page
    assert '<span class="figure">303</span>failed sessions' in page
    assert "MTA-STS policy" in page and "mode: testing" in page


def test_the_report_page_lists_the_repairs_made_while_reading(client, org, rfc_report):
    assert rfc_report.repairs, "the RFC sample has a string mx-host and a draft-era key"
    login(client, org, Role.VIEWER)
    page = page_of(client, org, rfc_report)
    section = page.split('id="repairs"')[1].split("</section>")[0]
    for repair in rfc_report.repairs:
        assert escape(repair) in section


def test_a_report_without_repairs_says_so(client, org):
    DomainFactory(organization=org, name="example.com")
    report = ingest(org, sample("parsedmarc/smtp_tls.json"))
    assert report.repairs == []
    login(client, org, Role.VIEWER)
    assert "nothing had to be repaired" in page_of(client, org, report)


def test_an_unregistered_result_type_is_shown_as_sent_and_explained(client, org):
    DomainFactory(organization=org, name="josh.scot")
    report = ingest(org, sample("tls-rpt-monitor/microsoft-report.json"))
    login(client, org, Role.VIEWER)
    page = page_of(client, org, report)
    assert "Testing" in page
    assert "A result type that RFC 8460 does not define" in page
    assert "x.x.x.x" in page


def test_an_https_report_names_its_channel_and_needs_no_dkim(client, org, rfc_report):
    login(client, org, Role.VIEWER)
    page = page_of(client, org, rfc_report)
    assert '<dd id="channel">HTTPS</dd>' in page
    assert "not applicable (only email reports are signed)" in page.split('id="dkim"')[1]


def test_a_mailed_report_shows_the_email_channel_and_its_dkim_result(client, org):
    """GIVEN a real Google report email (the tests run with DKIM checking off, so the
    service writes no result: the page says so); THEN a result the service records later
    (metadata["dkim"], as reports.services._dkim_refusal writes it) is shown in words."""
    DomainFactory(organization=org, name="test.xmox.nl")
    email_ingest(organization=org, raw_message=sample("mox/example.eml"), source="t")
    report = Report.objects.get(organization=org)
    login(client, org, Role.VIEWER)
    page = page_of(client, org, report)
    assert '<dd id="channel">Email</dd>' in page
    assert "not checked (DKIM checking is switched off)" in page
    result = {"status": "pass", "domain": "google.com", "selector": "20210112", "detail": ""}
    Submission.objects.filter(pk=report.submission_id).update(metadata={"dkim": result})
    dkim = page_of(client, org, report).split('id="dkim"')[1].split("</dd>")[0]
    assert "signature verified" in dkim and "google.com" in dkim


def test_download_raw_json_gives_the_original_bytes_as_an_attachment(client, org, rfc_report):
    login(client, org, Role.VIEWER)
    page = page_of(client, org, rfc_report)
    link = f'href="/o/{org.slug}/reports/{rfc_report.pk}/raw.json"'
    assert link in page and "Download raw JSON" in page
    response = client.get(f"/o/{org.slug}/reports/{rfc_report.pk}/raw.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="tlsrpt-company-x-2016-04-01-{rfc_report.pk}.json"'
    )
    assert response.content == sample(RFC_SAMPLE)  # decompressed, byte for byte


def test_a_conflicting_copy_is_shown_beside_the_counted_one(client, org):
    DomainFactory(organization=org, name="example.com")

    def copy(failed: int) -> bytes:
        details = [("certificate-expired", "192.0.2.1", "mx.example.com", failed)]
        policies = [policy("sts", "example.com", 100, failed, details if failed else ())]
        return report_json(report_id="same-id", policies=policies)

    ingest(org, copy(0))
    assert report_ingest_bytes(
        organization=org, payload=copy(7), channel=Channel.HTTPS, source="t"
    ).conflicts
    report = Report.objects.get(organization=org)
    login(client, org, Role.VIEWER)
    section = page_of(client, org, report).split('id="conflicts"')[1].split("</section>")[0]
    assert section.count("HTTPS POST") == 2
    assert "<strong>yes</strong>" in section


def test_the_report_page_query_count_does_not_grow_with_policies_or_details(client, org):
    """One report with one detail and one with many policies and details cost the same."""
    domains = [DomainFactory(organization=org, name=f"d{i}.example").name for i in range(4)]
    small = ingest(org, report_json(report_id="small", policies=[policy("sts", domains[0], 1, 0)]))
    many = [
        policy("sts", name, 10, 5, [("certificate-expired", f"192.0.2.{i}", "mx.example", 1)] * 5)
        for i, name in enumerate(domains)
    ]
    large = ingest(org, report_json(report_id="large", policies=many))
    login(client, org, Role.VIEWER)
    counts = []
    for report in (small, large):
        with CaptureQueriesContext(connection) as queries:
            page_of(client, org, report)
        counts.append(len(queries))
    # session, user, organization, membership, the report with its delivery, its policies,
    # their failure details, the quarantine badge
    assert counts == [9, 9]


def test_the_report_list_shows_period_reporter_sessions_failures_and_channel(
    client, org, rfc_report
):
    login(client, org, Role.VIEWER)
    page = client.get(f"/o/{org.slug}/reports/").content.decode()
    row = page.split('id="report-list"')[1].split("</tr>")[1]
    assert f'href="/o/{org.slug}/reports/{rfc_report.pk}/"' in row
    assert "2016-04-01" in row and "Company-X" in row and "company-y.example" in row
    assert 'data-label="Sessions">5629</td>' in row  # 5326 successful + 303 failed
    assert '<span class="sev-critical">303</span>' in row
    assert "HTTPS" in row


def test_the_report_list_filters_by_domain_and_by_reporter(client, org, rfc_report):
    other = DomainFactory(organization=org, name="example.com")
    ingest(org, sample("parsedmarc/smtp_tls.json"))
    login(client, org, Role.VIEWER)

    def listed(query: dict) -> int:
        page = client.get(f"/o/{org.slug}/reports/", query).content.decode()
        return page.count('class="report-link"')

    assert listed({}) == 2
    assert listed({"domain": other.pk}) == 1
    assert listed({"reporter": "Company-X"}) == 1
    assert listed({"reporter": "Company-X", "domain": other.pk}) == 0


def test_the_report_list_pager_keeps_the_filters(client, org, monkeypatch):
    monkeypatch.setattr("web.views.reports.PAGE_SIZE", 1)
    domain = DomainFactory(organization=org, name="example.com")
    for i in range(3):
        ingest(
            org,
            report_json(
                report_id=f"r-{i}",
                reporter="Mail Co",
                policies=[policy("sts", "example.com", 3, 1)],
            ),
        )
    login(client, org, Role.VIEWER)
    page = client.get(
        f"/o/{org.slug}/reports/", {"domain": domain.pk, "reporter": "Mail Co", "page": 2}
    )
    pager = page.content.decode().split('class="pager"')[1].split("</nav>")[0]
    assert f'href="?domain={domain.pk}&amp;reporter=Mail+Co&amp;page=1" rel="prev">' in pager
    assert f'href="?domain={domain.pk}&amp;reporter=Mail+Co&amp;page=3" rel="next">' in pager
    assert "Page 2 of 3" in pager and "Newer" in pager and "Older" in pager


def test_an_msp_sees_its_clients_reports_in_its_list(client, msp, client_org):
    DomainFactory(organization=client_org, name="company-y.example")
    report = ingest(client_org, sample(RFC_SAMPLE))
    login(client, msp, Role.OWNER)
    page = client.get(f"/o/{msp.slug}/reports/").content.decode()
    assert f'href="/o/{msp.slug}/reports/{report.pk}/"' in page
    assert client_org.name in page
    assert client.get(f"/o/{msp.slug}/reports/{report.pk}/raw.json").status_code == 200


def test_the_report_list_query_count_does_not_grow_with_rows(client, org):
    DomainFactory(organization=org, name="example.com")
    login(client, org, Role.VIEWER)
    counts = []
    for n in (1, 9):
        for i in range(n):
            payload = report_json(
                report_id=f"r{n}-{i}", policies=[policy("sts", "example.com", 3, 1)]
            )
            ingest(org, payload)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/o/{org.slug}/reports/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
