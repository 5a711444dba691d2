"""The scans API: on-demand scans, history, latest findings, and the record tools."""

from __future__ import annotations

import pytest

from scans.models import Scan
from tests.factories import DomainFactory
from tests.scans.zones import good_domain, good_policy, no_record_domain

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_dns(dns_settings, mta_sts_server):
    """Point the settings-built resolver and fetcher at the loopback servers."""
    settings = dns_settings
    settings.TLSMON_FETCH_ALLOW_PRIVATE = True
    settings.TLSMON_MTA_STS_PORT = mta_sts_server.port
    settings.TLSMON_MTA_STS_CA_FILE = mta_sts_server.ca_file


def test_an_on_demand_scan_answers_202_with_an_id_to_poll(
    api_client,
    org,
    zone_name,
    dns_server,
    mta_sts_server,
    live_dns,
    tasks_in_process,
    django_capture_on_commit_callbacks,
):
    dns_server.set_zone(zone_name, good_domain(zone_name))
    mta_sts_server.serve(zone_name, good_policy(zone_name))
    domain = DomainFactory(organization=org, name=zone_name)
    client = api_client(org, write=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/domains/{domain.pk}/scan/")

    assert response.status_code == 202
    body = response.json()
    assert body["url"].endswith(f"/api/v1/scans/{body['id']}/")
    polled = client.get(body["url"]).json()
    assert polled["status"] == "done"
    assert polled["verdict"] == "pass"
    assert polled["result"]["mx"]["hosts"] == [f"mx1.{zone_name}"]
    assert Scan.objects.filter(domain=domain).count() == 1  # the queued row was filled in


def test_latest_scan_is_404_before_the_first_scan_then_shows_findings_with_fixes(
    api_client, org, zone_name, dns_server, live_dns
):
    from scans.services import scan_domains

    dns_server.set_zone(zone_name, no_record_domain(zone_name))
    domain = DomainFactory(organization=org, name=zone_name)
    client = api_client(org)
    url = f"/api/v1/domains/{domain.pk}/latest-scan/"
    missing = client.get(url)
    assert missing.status_code == 404 and "not been scanned" in missing.json()["detail"]

    scan_domains(domain_ids=[domain.pk])
    latest = client.get(url).json()

    assert latest["verdict"] == "fail"
    finding = next(f for f in latest["findings"] if f["code"] == "missing_record")
    assert finding["severity"] == "critical"
    assert f"_smtp._tls.{zone_name}" in finding["fix"]


def test_the_history_lists_a_domains_scans_newest_first(api_client, org):
    domain = DomainFactory(organization=org)
    older = Scan.objects.create(domain=domain, trigger="api", status="done", verdict="fail")
    newer = Scan.objects.create(domain=domain, trigger="api", status="done", verdict="pass")
    Scan.objects.create(domain=DomainFactory(organization=org), trigger="api")  # another domain
    rows = api_client(org).get(f"/api/v1/domains/{domain.pk}/scans/").json()["results"]
    assert [row["id"] for row in rows] == [newer.pk, older.pk]


def test_the_scan_list_filters_by_verdict(api_client, org):
    domain = DomainFactory(organization=org)
    Scan.objects.create(domain=domain, trigger="api", status="done", verdict="fail")
    passing = Scan.objects.create(domain=domain, trigger="api", status="done", verdict="pass")
    rows = api_client(org).get("/api/v1/scans/", {"verdict": "pass"}).json()["results"]
    assert [row["id"] for row in rows] == [passing.pk]


def test_the_scan_list_shows_and_filters_by_mta_sts_status(api_client, org):
    domain = DomainFactory(organization=org)
    Scan.objects.create(domain=domain, trigger="api", status="done", mta_sts_status="enforce")
    broken = Scan.objects.create(
        domain=domain, trigger="api", status="done", verdict="pass", mta_sts_status="broken"
    )
    rows = api_client(org).get("/api/v1/scans/", {"mta_sts": "broken"}).json()["results"]
    assert [(row["id"], row["verdict"], row["mta_sts_status"]) for row in rows] == [
        (broken.pk, "pass", "broken")
    ]


@pytest.mark.parametrize(
    ("method", "suffix"), [("post", "scan/"), ("get", "scans/"), ("get", "latest-scan/")]
)
def test_another_organizations_domain_is_404_for_every_scan_action(
    api_client, org, other_org, method, suffix
):
    theirs = DomainFactory(organization=other_org)
    client = api_client(org, write=True)
    response = getattr(client, method)(f"/api/v1/domains/{theirs.pk}/{suffix}")
    assert response.status_code == 404
    assert not Scan.objects.filter(domain=theirs).exists()


def test_an_msp_token_can_scan_a_clients_domain(
    api_client, msp, client_org, django_capture_on_commit_callbacks
):
    domain = DomainFactory(organization=client_org)
    with django_capture_on_commit_callbacks(execute=False):
        response = api_client(msp, write=True).post(f"/api/v1/domains/{domain.pk}/scan/")
    assert response.status_code == 202
    assert Scan.objects.get(pk=response.json()["id"]).domain == domain


def test_a_read_only_token_cannot_start_a_scan(api_client, org):
    domain = DomainFactory(organization=org)
    response = api_client(org, write=False).post(f"/api/v1/domains/{domain.pk}/scan/")
    assert response.status_code == 403
    assert response.json()["code"] == "read_only_token"
    assert not Scan.objects.exists()


class TestRecordTools:
    @pytest.mark.parametrize(
        ("record", "verdict", "code"),
        [
            ("v=TLSRPTv1; rua=mailto:tlsrpt@example.com", "pass", None),
            ("v=TLSRPTv1; rua = mailto:tlsrpt@example.com", "warn", "syntax_invalid"),
            ("v=TLSRPTv1;", "fail", "rua_missing"),
            ("v=tlsrptv1; rua=mailto:tlsrpt@example.com", "fail", "version_invalid"),
        ],
    )
    def test_validate_record_returns_the_findings_a_scan_would_raise(
        self, api_client, org, record, verdict, code
    ):
        response = api_client(org).post(
            "/api/v1/tools/validate-record/",
            {"domain": "Example.COM.", "record": record},
            format="json",
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["domain"], body["name"]) == ("example.com", "_smtp._tls.example.com")
        assert body["verdict"] == verdict
        if code:
            assert code in [f["code"] for f in body["findings"]]

    def test_validate_record_names_the_authorization_record_for_an_external_destination(
        self, api_client, org
    ):
        body = (
            api_client(org)
            .post(
                "/api/v1/tools/validate-record/",
                {"domain": "example.com", "record": "v=TLSRPTv1; rua=mailto:r@reports.example.net"},
                format="json",
            )
            .json()
        )
        assert body["external_destinations"] == [
            {
                "host": "reports.example.net",
                "authorization_record": "example.com._report._tls.reports.example.net",
            }
        ]

    def test_validate_record_refuses_a_domain_tlsmon_would_not_monitor(self, api_client, org):
        response = api_client(org).post(
            "/api/v1/tools/validate-record/", {"domain": "co.uk", "record": "x"}, format="json"
        )
        assert response.status_code == 400
        assert "domain" in response.json()["fields"]

    def test_generate_record_builds_a_valid_record_and_its_zone_line(self, api_client, org):
        response = api_client(org).post(
            "/api/v1/tools/generate-record/",
            {
                "domain": "example.com",
                "destinations": ["tls!rpt@example.com", "https://r.example/x"],
            },
            format="json",
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["record"] == "v=TLSRPTv1; rua=mailto:tls%21rpt@example.com,https://r.example/x"
        assert body["zone_line"] == f'_smtp._tls.example.com. 3600 IN TXT "{body["record"]}"'

    def test_generate_record_explains_an_unusable_destination(self, api_client, org):
        response = api_client(org).post(
            "/api/v1/tools/generate-record/",
            {"destinations": ["http://insecure.example/"]},
            format="json",
        )
        assert response.status_code == 400
        assert "https" in response.json()["fields"]["destinations"][0]


def test_the_record_tools_work_with_a_read_only_token_because_they_change_nothing(api_client, org):
    response = api_client(org, write=False).post(
        "/api/v1/tools/generate-record/", {"destinations": ["r@example.com"]}, format="json"
    )
    assert response.status_code == 200


def test_a_not_applicable_scan_has_no_score_anywhere_and_says_why(
    api_client, org, zone_name, dns_server, dns_settings
):
    """GIVEN a domain with no MX and no address (TLS-RPT does not apply), WHEN it is scanned,
    THEN the stored scan, its JSON, the domain and the coverage row carry a null score."""
    from scans.services import scan_domains

    dns_server.set_zones({zone_name: []})
    domain = DomainFactory(organization=org, name=zone_name)
    scan_domains(domain_ids=[domain.pk], trigger="api")
    client = api_client(org)

    scan = client.get(f"/api/v1/domains/{domain.pk}/latest-scan/").json()
    coverage = client.get("/api/v1/coverage/").json()["results"][0]

    assert (scan["verdict"], scan["score"], scan["result"]["score"]) == (
        "not_applicable",
        None,
        None,
    )
    assert scan["score_note"].startswith("no score: TLS-RPT does not apply")
    assert (coverage["verdict"], coverage["score"]) == ("not_applicable", None)
