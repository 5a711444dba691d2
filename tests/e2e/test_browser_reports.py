"""A member reads a real report in the browser, downloads its raw JSON, and empties the
quarantine by adding the domain a report was about; screenshots of every page on the way."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from accounts.models import Domain, Role
from reports.models import Channel, Report
from reports.services import report_ingest_bytes
from scans.models import ScanTrigger
from scans.on_demand import scan_request
from tests.e2e.screens import save_screens
from tests.factories import DomainFactory, MembershipFactory
from tests.reports.samples import SAMPLES_DIR
from tests.scans.zones import good_domain

PASSWORD = "correct horse battery staple"
RFC_SAMPLE = "tlsrpt_processor/sample.json"  # 3 result types at 3 MX hosts
GOOGLE_SAMPLE = "parsedmarc/smtp_tls.json"  # example.com, 3 failed sessions


def log_in(browser, live_server, org, role=Role.MEMBER) -> None:
    user = MembershipFactory(organization=org, role=role).user
    browser.get(f"{live_server.url}/login/")
    browser.find_element(By.NAME, "login").send_keys(user.email)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "main")))


def ingest(org, payload: bytes) -> None:
    report_ingest_bytes(organization=org, payload=payload, channel=Channel.HTTPS, source="e2e")


def downloaded(folder, timeout: float = 10.0) -> bytes:
    """The one finished download in ``folder`` (Chromium writes ``.crdownload`` until done)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = [p for p in folder.iterdir() if not p.name.endswith(".crdownload")]
        if files:
            return files[0].read_bytes()
        time.sleep(0.1)
    raise AssertionError(f"nothing downloaded into {folder}")


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_a_member_reads_a_report_and_downloads_its_raw_json(browser, live_server, org, tmp_path):
    DomainFactory(organization=org, name="company-y.example")
    ingest(org, (SAMPLES_DIR / RFC_SAMPLE).read_bytes())
    report = Report.objects.get(organization=org)
    log_in(browser, live_server, org)

    browser.get(f"{live_server.url}/o/{org.slug}/reports/")
    assert "Company-X" in browser.find_element(By.ID, "report-list").text
    save_screens(browser, "report-list")
    browser.find_element(By.CSS_SELECTOR, "a.report-link").click()

    rows = WebDriverWait(browser, 10).until(
        EC.presence_of_all_elements_located((By.CSS_SELECTOR, "tr.failure-detail"))
    )
    assert len(rows) == 3
    text = "\n".join(row.text for row in rows)
    for visible in ("Certificate expired", "STARTTLS not offered", "mx2.mail.company-y.example"):
        assert visible in text
    assert "did not offer STARTTLS" in text  # the plain explanation, not only the code
    save_screens(browser, "report-page")

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    browser.find_element(By.ID, "download-raw").click()
    assert downloaded(downloads) == (SAMPLES_DIR / RFC_SAMPLE).read_bytes()
    assert report.pk in [r.pk for r in Report.objects.filter(organization=org)]


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_a_member_adds_a_quarantined_reports_domain_and_sees_the_report_there(
    browser, live_server, org
):
    DomainFactory(organization=org, name="unrelated.example")
    ingest(org, (SAMPLES_DIR / GOOGLE_SAMPLE).read_bytes())
    log_in(browser, live_server, org)

    browser.get(f"{live_server.url}/o/{org.slug}/")
    badge = browser.find_element(By.CSS_SELECTOR, "nav.org .badge")
    assert badge.text == "1"
    browser.get(f"{live_server.url}/o/{org.slug}/quarantine/")
    assert "example.com" in browser.find_element(By.ID, "quarantine").text
    save_screens(browser, "quarantine-with-items")

    browser.find_element(By.CSS_SELECTOR, "button.add-domain").click()
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "quarantine-empty")))
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "Added example.com. 1 report(s) stored." in main
    assert not browser.find_elements(By.CSS_SELECTOR, "nav.org .badge")
    save_screens(browser, "quarantine-empty")

    domain = Domain.objects.get(organization=org, name="example.com")
    browser.get(f"{live_server.url}/o/{org.slug}/domains/{domain.pk}/")
    assert "Example Inc." in browser.find_element(By.ID, "recent-reports").text


def company_y_sample_for(zone: str, days_ago: int) -> bytes:
    """The RFC 8460 sample about ``zone``, received ``days_ago`` days ago."""
    day = (timezone.now() - timedelta(days=days_ago)).date().isoformat()
    document = json.loads((SAMPLES_DIR / RFC_SAMPLE).read_text().replace("company-y.example", zone))
    document["date-range"] = {
        "start-datetime": f"{day}T00:00:00Z",
        "end-datetime": f"{day}T23:59:59Z",
    }
    document["report-id"] += f"-{day}"
    return json.dumps(document).encode()


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_domain_pages_scanned_with_reports_null_mx_and_not_scanned(
    browser, live_server, org, dns_settings, dns_server, zone_name, tasks_in_process
):
    """Screens of the domain page in its three shapes; a real scan against Knot for each
    scanned domain, and real (re-dated) reports for the first."""
    dns_server.set_zone(zone_name, good_domain(zone_name))
    scanned = DomainFactory(organization=org, name=zone_name)
    for days_ago in (1, 3, 4, 9, 15):
        ingest(org, company_y_sample_for(zone_name, days_ago))
    null_zone = f"null-{zone_name}"
    dns_server.set_zone(null_zone, ["@ MX 0 ."])
    null_mx = DomainFactory(organization=org, name=null_zone)
    fresh = DomainFactory(organization=org, name="not-scanned.example")
    for domain in (scanned, null_mx):
        scan_request(domain=domain, trigger=ScanTrigger.WEB)
    log_in(browser, live_server, org)

    browser.get(f"{live_server.url}/o/{org.slug}/domains/{scanned.pk}/")
    assert browser.find_element(By.ID, "sessions-chart")
    assert "Certificate expired" in browser.find_element(By.ID, "by-result-type").text
    assert "Company-X" in browser.find_element(By.ID, "by-reporter").text
    save_screens(browser, "domain-scanned-with-reports")

    browser.get(f"{live_server.url}/o/{org.slug}/domains/{null_mx.pk}/")
    assert browser.find_element(By.ID, "verdict").text == "Not applicable"
    assert not browser.find_elements(By.ID, "reporting")
    assert "no TLS-RPT record to publish" in browser.find_element(By.ID, "no-mail").text
    save_screens(browser, "domain-null-mx")

    browser.get(f"{live_server.url}/o/{org.slug}/domains/{fresh.pk}/")
    assert browser.find_element(By.ID, "verdict").text == "Not scanned yet."
    save_screens(browser, "domain-not-scanned")
