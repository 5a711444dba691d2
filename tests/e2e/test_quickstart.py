"""A newcomer's first minutes with ``scripts/start``, in a real browser.

From a throwaway checkout (the README test's ``started_checkout``: SQLite, no Redis, DNS from
the suite's Knot server): logging in as the demo user lands on the dashboard with the demo
data; a domain added on the onboarding page gets scanned with nobody pressing anything (the
quickstart runs tasks in-process; the periodic jobs ``scripts/start`` runs beside the server are
tested in tests/demo/test_periodic.py); a demo domain's page says its scans replay the demo's
recorded results.
"""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.test_readme import started_checkout  # noqa: F401  (the running quickstart)
from tests.scans.zones import no_record_domain

pytestmark = pytest.mark.live


def _start_env(checkout: Path) -> dict[str, str]:
    lines = (checkout / "var" / "start.env").read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    return {name: value.strip("'") for name, value in pairs}


def _api(env: dict[str, str], path: str) -> dict:
    request = urllib.request.Request(
        env["BASE"] + path, headers={"Authorization": f"Bearer {env['TOKEN']}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def _domain(env: dict[str, str], name: str) -> dict | None:
    return next(iter(_api(env, f"/domains/?search={name}")["results"]), None)


def test_a_newcomer_logs_in_to_demo_data_and_a_domain_they_add_is_scanned_unasked(
    started_checkout,  # noqa: F811
    browser,
    dns_server,
):
    env = _start_env(started_checkout)
    base = env["TLSMON_BASE_URL"]
    dns_server.set_zone("newcomer.example", no_record_domain("newcomer.example"))

    browser.get(base + "/")
    browser.find_element(By.NAME, "login").send_keys("demo@tlsmon.localhost")
    browser.find_element(By.NAME, "password").send_keys("demo")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()

    # One organization (the MSP with its clients): the login lands on its dashboard.
    WebDriverWait(browser, 10).until(EC.url_to_be(base + "/o/demo-msp/"))
    dashboard = browser.find_element(By.TAG_NAME, "main").text
    assert "Acme Manufacturing" in dashboard and "Globex Health" in dashboard

    browser.get(base + "/o/demo-msp/domains/add/")
    browser.find_element(By.NAME, "names").send_keys("newcomer.example")
    browser.find_element(By.CSS_SELECTOR, "#add-domains button[type=submit]").click()
    WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.ID, "rows")))
    assert "1 added" in browser.find_element(By.ID, "summary").text

    deadline = time.monotonic() + 75
    while not (scanned := _domain(env, "newcomer.example"))["scanned_at"]:
        if time.monotonic() > deadline:
            log = started_checkout.parent / "start.log"
            pytest.fail(f"not scanned within 75 s:\n{log.read_text()[-3000:]}")
        time.sleep(2)
    assert scanned["scan_verdict"] == "fail"  # Knot serves it without a TLS-RPT record
    assert "no_record" in scanned["scan_gaps"]

    demo = _domain(env, "acme.example")
    browser.get(f"{base}/o/acme/domains/{demo['id']}/")
    notice = browser.find_element(By.ID, "demo-notice").text
    assert notice.startswith("Demo domain: scans replay the demo's recorded results")
