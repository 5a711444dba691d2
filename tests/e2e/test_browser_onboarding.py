"""The main web flow in a real browser: log in, paste domains, read every row back."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from accounts.models import Domain, Role
from tests.factories import MembershipFactory

PASSWORD = "correct horse battery staple"


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_a_member_logs_in_and_onboards_domains(
    browser, live_server, org, dns_settings, tasks_in_process
):
    """The names are in no zone of the test's DNS server: their checks end in "error" at
    once, which is all this test needs (test_browser_onboarding_msp.py reads real verdicts)."""
    user = MembershipFactory(organization=org, role=Role.MEMBER).user

    browser.get(f"{live_server.url}/o/{org.slug}/domains/add/")
    browser.find_element(By.NAME, "login").send_keys(user.email)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "add-domains")))

    browser.find_element(By.NAME, "names").send_keys("Shop.Example\nbücher.example\nco.uk")
    browser.find_element(By.NAME, "tags").send_keys("eu")
    browser.find_element(By.CSS_SELECTOR, "#add-domains button[type=submit]").click()

    WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.ID, "rows")))
    summary = browser.find_element(By.ID, "summary").text
    assert "2 added, 0 already present, 1 invalid" in summary
    rows = browser.find_element(By.ID, "rows").text
    assert "co.uk Invalid 'co.uk' is a public suffix" in rows
    assert "Added xn--bcher-kva.example" in rows
    assert Domain.objects.filter(organization=org).count() == 2
    assert {t.name for d in Domain.objects.all() for t in d.tags.all()} == {"eu"}
