"""An MSP admin onboards a new client in a real browser: creates the client, pastes three
domains (one invalid, one already present), copies the record to publish, and watches the
scan run in a real Celery worker against the tests' Knot server until the verdict shows."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from accounts.models import Organization, Role
from tests.conftest import _forget_result_backend
from tests.e2e.screens import save_screens
from tests.factories import DomainFactory, MembershipFactory
from tests.services import RedisServer, use_celery_broker
from tlsmon.celery import app

PASSWORD = "correct horse battery staple"
THIRD_PARTY = "mailto:tls@reports.thirdparty.example"


@pytest.fixture
def private_broker(settings):
    """Tasks go to a Redis of this test's own and wait there until the test starts a worker
    (so the page can be seen while the scan is pending)."""
    server = RedisServer().start()
    app.conf.task_always_eager = False
    use_celery_broker(server.url)
    yield server
    use_celery_broker(settings.CELERY_BROKER_URL)
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    _forget_result_backend()
    server.stop()


def log_in(browser, url, user):
    browser.get(url)
    browser.find_element(By.NAME, "login").send_keys(user.email)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_an_msp_admin_onboards_a_client_and_sees_the_verdicts(
    browser, live_server, settings, msp, dns_settings, dns_server, zone_name, private_broker
):
    dns_server.set_zone(
        zone_name,
        [
            f"@ MX 10 mx1.{zone_name}.",
            "mx1 A 192.0.2.10",
            f'_smtp._tls TXT "v=TLSRPTv1; rua={THIRD_PARTY}"',
        ],
    )
    # TLSMon's operator authorizes every domain at once on its report host (a host of this
    # test's own: the Knot zone outlives the test).
    settings.TLSMON_REPORT_DOMAIN = f"reports-{zone_name.split('.')[0]}.example"
    dns_server.set_zone(settings.TLSMON_REPORT_DOMAIN, ['*._report._tls TXT "v=TLSRPTv1;"'])
    admin = MembershipFactory(organization=msp, role=Role.ADMIN).user
    log_in(browser, f"{live_server.url}/o/{msp.slug}/domains/add/", admin)

    # GIVEN a new client, created from the onboarding page
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "new-client")))
    browser.find_element(By.ID, "new-client").click()
    browser.find_element(By.NAME, "name").send_keys("Acme Retail")
    save_screens(browser, "onboarding-client-add")
    browser.find_element(By.CSS_SELECTOR, "#add-client button[type=submit]").click()
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "add-domains")))
    client = Organization.objects.get(name="Acme Retail", managed_by=msp)
    selected = browser.find_element(By.CSS_SELECTOR, "select[name=organization] option:checked")
    assert selected.text == "Acme Retail"
    DomainFactory(organization=client, name=f"old.{zone_name}")  # added earlier, by the API

    # WHEN the admin pastes three domains: a new one, an invalid one, one already present
    pasted = f"{zone_name}\nnot a domain\nOLD.{zone_name}"
    browser.find_element(By.NAME, "names").send_keys(pasted)
    save_screens(browser, "onboarding-domain-add")
    browser.find_element(By.CSS_SELECTOR, "#add-domains button[type=submit]").click()

    # THEN every row is reported and the record to publish is there while the scan waits
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "rows")))
    assert browser.current_url.startswith(f"{live_server.url}/o/{client.slug}/domains/add/")
    rows = browser.find_element(By.ID, "rows").text
    assert f"Added {zone_name}" in rows
    assert "Invalid" in rows and f"Already present old.{zone_name}" in rows
    assert "0 of 1" in browser.find_element(By.ID, "progress").text
    plan = browser.find_element(By.CSS_SELECTOR, ".onboard-domain .plan")
    assert plan.get_attribute("data-stage") == "preliminary"
    save_screens(browser, "onboarding-result-pending")

    # WHEN a worker runs the scan, THEN the page updates itself: verdict and final record
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        WebDriverWait(browser, 30).until(
            EC.presence_of_element_located((By.CSS_SELECTOR, ".onboard-domain .verdict"))
        )
    assert browser.find_element(By.CSS_SELECTOR, ".onboard-domain .verdict").text == "Pass"
    assert "All 1 check finished." in browser.find_element(By.ID, "progress").text
    record = browser.find_element(By.CSS_SELECTOR, ".onboard-domain pre.record").text
    destinations = ",".join([THIRD_PARTY, *client.report_destinations])
    assert record == f'_smtp._tls.{zone_name}. 3600 IN TXT "v=TLSRPTv1; rua={destinations}"'
    assert "No MTA-STS yet" in browser.find_element(By.CSS_SELECTOR, ".onboard-domain").text
    operator_side = browser.find_element(By.CSS_SELECTOR, ".operator-auth summary").text
    assert operator_side == "Authorization on TLSMon's side: Authorized by a wildcard record"
    save_screens(browser, "onboarding-result-done")

    # AND the client's settings page creates an API token, shown once
    browser.get(f"{live_server.url}/o/{client.slug}/settings/")
    browser.find_element(By.CSS_SELECTOR, "#create-token input[name=name]").send_keys("PSA sync")
    browser.find_element(By.CSS_SELECTOR, "#create-token button[type=submit]").click()
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "new-token")))
    assert browser.find_element(By.CSS_SELECTOR, "#new-token button.copy").is_displayed()
    save_screens(browser, "settings-new-token")
