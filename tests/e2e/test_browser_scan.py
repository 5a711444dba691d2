"""A member opens a domain in the browser, presses "Scan now", and reads the fix."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from accounts.models import Role
from tests.e2e.screens import save_screens
from tests.factories import DomainFactory, MembershipFactory
from tests.scans.zones import no_record_domain

PASSWORD = "correct horse battery staple"


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_a_member_scans_a_domain_and_sees_the_record_to_publish(
    browser,
    live_server,
    org,
    dns_settings,
    dns_server,
    zone_name,
    tasks_in_process,
):
    dns_server.set_zone(zone_name, no_record_domain(zone_name))
    domain = DomainFactory(organization=org, name=zone_name)
    user = MembershipFactory(organization=org, role=Role.MEMBER).user

    browser.get(f"{live_server.url}/o/{org.slug}/domains/{domain.pk}/")
    browser.find_element(By.NAME, "login").send_keys(user.email)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "scan-now")))
    assert browser.find_element(By.ID, "verdict").text == "Not scanned yet."

    browser.find_element(By.ID, "scan-now").click()

    WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.ID, "findings")))
    assert browser.find_element(By.ID, "verdict").text == "Fail"
    findings = browser.find_element(By.ID, "findings").text
    assert "missing_record" in findings
    assert f'_smtp._tls.{zone_name}. 3600 IN TXT "v=TLSRPTv1;' in findings
    save_screens(browser, "domain-after-scan")
