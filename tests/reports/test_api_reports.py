"""The reports API: report list filters and detail, raw download, quarantine, report addresses.

Tenant separation of these endpoints is covered by tests/api/test_tenancy.py.
"""

from __future__ import annotations

import gzip
import json

import pytest
from django.conf import settings

from reports.models import Channel, QuarantinedPolicy, ReportPolicy
from reports.services import email_ingest, report_ingest_bytes
from tests.factories import (
    DomainFactory,
    FailureDetailFactory,
    QuarantinedPolicyFactory,
    ReportFactory,
    ReportPolicyFactory,
)
from tests.reports.samples import SAMPLES_DIR

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports/"
QUARANTINE = "/api/v1/quarantine/"
ADDRESSES = "/api/v1/reporting-addresses/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def domain(org):
    return DomainFactory(organization=org, name="example.com")


@pytest.fixture
def reader(org, api_client):
    return api_client(org)


@pytest.fixture
def writer(org, api_client):
    return api_client(org, write=True)


def sample(path: str) -> bytes:
    return (SAMPLES_DIR / path).read_bytes()


def test_reports_filter_by_domain_id_or_name(org, domain, reader):
    mine = ReportPolicyFactory(report__organization=org, domain=domain).report
    ReportPolicyFactory(report__organization=org)  # another domain of the same tenant
    assert ids(reader.get(REPORTS, {"domain": domain.pk})) == [mine.pk]
    assert ids(reader.get(REPORTS, {"domain": "EXAMPLE.com."})) == [mine.pk]


def test_reports_filter_by_reporter_case_insensitively(org, reader):
    microsoft = ReportPolicyFactory(
        report__organization=org, report__organization_name="Microsoft Corporation"
    ).report
    ReportPolicyFactory(report__organization=org)
    assert ids(reader.get(REPORTS, {"reporter": "microsoft corporation"})) == [microsoft.pk]


def test_reports_filter_by_period(org, reader):
    may_3 = ReportFactory(organization=org, start="2026-05-03T00:00:00Z", end="2026-05-03T23:59Z")
    ReportFactory(organization=org, start="2026-05-01T00:00:00Z", end="2026-05-01T23:59Z")
    ReportFactory(organization=org, start="2026-05-09T00:00:00Z", end="2026-05-09T23:59Z")
    found = ids(reader.get(REPORTS, {"start_after": "2026-05-02", "end_before": "2026-05-05"}))
    assert found == [may_3.pk]


def test_reports_filter_by_failures(org, reader):
    failing = FailureDetailFactory(policy__report__organization=org).policy.report
    clean = ReportPolicyFactory(report__organization=org, failed=0).report
    assert ids(reader.get(REPORTS, {"has_failures": "true"})) == [failing.pk]
    assert ids(reader.get(REPORTS, {"has_failures": "false"})) == [clean.pk]


def test_reports_list_newest_period_first_and_orders_on_request(org, reader):
    older = ReportFactory(organization=org, start="2026-05-01T00:00Z", end="2026-05-02T00:00Z")
    newer = ReportFactory(organization=org, start="2026-05-05T00:00Z", end="2026-05-06T00:00Z")
    assert ids(reader.get(REPORTS)) == [newer.pk, older.pk]
    assert ids(reader.get(REPORTS, {"ordering": "start"})) == [older.pk, newer.pk]


def test_report_detail_nests_policies_and_failure_details(org, reader):
    detail = FailureDetailFactory(policy__report__organization=org, sending_mta_ip="192.0.2.9")
    report = detail.policy.report
    body = reader.get(f"{REPORTS}{report.pk}/").json()
    assert body["reporter"] == "Google Inc."
    assert body["failed_sessions"] == 2
    [policy] = body["policies"]
    assert policy["domain"] == detail.policy.domain.name
    assert policy["failure_details"][0]["sending_mta_ip"] == "192.0.2.9"
    assert policy["failure_details"][0]["result_type"] == "certificate-expired"


def test_session_totals_count_an_sts_and_a_tlsa_policy_of_one_domain_once(org, domain, reader):
    report = ReportFactory(organization=org)
    ReportPolicyFactory(report=report, domain=domain, policy_type="sts", successful=2)
    ReportPolicyFactory(report=report, domain=domain, policy_type="tlsa", successful=2)
    body = reader.get(f"{REPORTS}{report.pk}/").json()
    assert (body["successful_sessions"], body["domains"]) == (2, ["example.com"])


def test_raw_download_gives_the_json_as_received(org, domain, reader):
    payload = sample("parsedmarc/smtp_tls.json")
    report_ingest_bytes(
        organization=org, payload=gzip.compress(payload), channel=Channel.HTTPS, source="test"
    )
    report = org.reports.get()
    response = reader.get(f"{REPORTS}{report.pk}/raw/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content == payload


def test_raw_download_of_a_mailed_report_is_the_attachments_json(org, reader):
    DomainFactory(organization=org, name="test.xmox.nl")
    email_ingest(organization=org, raw_message=sample("mox/example.eml"), source="test")
    report = org.reports.get()
    body = json.loads(reader.get(f"{REPORTS}{report.pk}/raw/").content)
    assert body["report-id"] == report.report_id


def test_report_list_query_count_does_not_grow_with_rows(
    org, reader, django_assert_max_num_queries
):
    for _ in range(8):
        FailureDetailFactory(policy__report__organization=org)
    # token lookup, its last-used update, count, reports, policies with their domains
    with django_assert_max_num_queries(5):
        assert len(ids(reader.get(REPORTS))) == 8


def quarantine_one(org) -> QuarantinedPolicy:
    """Ingest a real report for example.com while the tenant does not own example.com."""
    DomainFactory(organization=org, name="unrelated.example")
    summary = report_ingest_bytes(
        organization=org,
        payload=sample("parsedmarc/smtp_tls.json"),
        channel=Channel.HTTPS,
        source="test",
    )
    assert summary.quarantined == 1
    return QuarantinedPolicy.objects.get(organization=org)


def test_quarantine_lists_policies_for_domains_the_tenant_does_not_own(org, reader):
    quarantined = quarantine_one(org)
    rows = reader.get(QUARANTINE, {"open": "true"}).json()["results"]
    assert [(r["id"], r["policy_domain"]) for r in rows] == [(quarantined.pk, "example.com")]


def test_reprocess_stores_a_quarantined_policy_once_its_domain_is_added(org, writer):
    quarantined = quarantine_one(org)
    domain = DomainFactory(organization=org, name="example.com")
    response = writer.post(f"{QUARANTINE}{quarantined.pk}/reprocess/")
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 1
    assert ReportPolicy.objects.get(organization=org).domain == domain
    quarantined.refresh_from_db()
    assert quarantined.resolved_at is not None


def test_reprocess_all_leaves_policies_whose_domain_is_still_missing(org, writer):
    quarantined = quarantine_one(org)
    response = writer.post(f"{QUARANTINE}reprocess/")
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 0
    quarantined.refresh_from_db()
    assert quarantined.resolved_at is None


@pytest.mark.parametrize("url", ["{id}/reprocess/", "reprocess/"])
def test_a_read_only_token_cannot_reprocess(org, reader, url):
    quarantined = quarantine_one(org)
    response = reader.post(QUARANTINE + url.format(id=quarantined.pk))
    assert response.status_code == 403
    assert response.json()["code"] == "read_only_token"


def test_reporting_address_gives_the_mailto_https_and_record(org, reader, settings):
    settings.TLSMON_BASE_URL = "https://tlsmon.example"
    settings.TLSMON_REPORT_DOMAIN = "reports.tlsmon.example"
    body = reader.get(f"{ADDRESSES}{org.pk}/").json()
    mailto = f"mailto:{org.report_token}@reports.tlsmon.example"
    https = f"https://tlsmon.example/tlsrpt/{org.report_token}/"
    assert (body["mailto"], body["https"]) == (mailto, https)
    assert body["record"] == f"v=TLSRPTv1; rua={mailto},{https}"


def test_an_msp_sees_its_clients_reporting_addresses(msp, client_org, api_client):
    rows = api_client(msp).get(ADDRESSES).json()["results"]
    tokens = {row["organization"]: row["mailto"] for row in rows}
    assert client_org.report_token in tokens["client-one"]
    assert set(tokens) == {"msp", "client-one"}
    assert settings.TLSMON_REPORT_DOMAIN in tokens["msp"]


def test_another_tenants_quarantined_policy_cannot_be_reprocessed(other_org, writer):
    theirs = quarantine_one(other_org)
    DomainFactory(organization=other_org, name="example.com")
    assert writer.post(f"{QUARANTINE}{theirs.pk}/reprocess/").status_code == 404
    assert writer.post(f"{QUARANTINE}reprocess/").json()["accepted"] == 0
    theirs.refresh_from_db()
    assert theirs.resolved_at is None


def test_quarantine_detail_keeps_the_policy_as_received(org, reader):
    quarantined = quarantine_one(org)
    body = reader.get(f"{QUARANTINE}{quarantined.pk}/").json()
    assert body["report_id"] == "2024-01-09T00:00:00Z_example.com"
    assert body["policy"]
    assert "not one of your domains" in body["reason"]


def test_quarantine_list_query_count_does_not_grow_with_rows(
    org, reader, django_assert_max_num_queries
):
    for _ in range(8):
        QuarantinedPolicyFactory(organization=org)
    # token lookup, its last-used update, count, rows with their organization
    with django_assert_max_num_queries(4):
        assert len(ids(reader.get(QUARANTINE))) == 8


def test_a_plain_http_install_publishes_only_its_mailbox(org, reader, settings):
    """RFC 8460 defines mailto: and https: destinations only; an http: rua would be invalid."""
    settings.TLSMON_BASE_URL = "http://127.0.0.1:8000"
    body = reader.get(f"{ADDRESSES}{org.pk}/").json()
    assert body["record"] == f"v=TLSRPTv1; rua={body['mailto']}"
    from scans.tools import validate_record

    assert validate_record(domain="example.com", record=body["record"])["verdict"] == "pass"
