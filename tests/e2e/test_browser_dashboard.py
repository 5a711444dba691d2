"""The portfolio dashboard and the domain list in a real browser: demo data on the MSP and
client dashboards (figures equal to the APIs'), 1,000 domains sorted, filtered, paged and
paused in bulk, and the first step of an empty organization."""

from __future__ import annotations

import random

import pytest
from django.core.management import call_command
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from accounts.models import Domain, Organization, Role
from demo.data import DEMO_USER_EMAIL
from tests.e2e.screens import save_screens
from tests.factories import MembershipFactory

PASSWORD = "correct horse battery staple"


def log_in(browser, base: str, email: str, password: str = PASSWORD) -> None:
    browser.get(f"{base}/login/")
    browser.find_element(By.NAME, "login").send_keys(email)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(browser, 10).until(EC.url_changes(f"{base}/login/"))


def tile_figures(browser, container: str) -> dict[str, int]:
    return {
        tile.get_attribute("data-key"): int(tile.find_element(By.CLASS_NAME, "figure").text)
        for tile in browser.find_elements(By.CSS_SELECTOR, f"#{container} .tile")
        if tile.find_element(By.CLASS_NAME, "figure").text.isdigit()
    }


def chart_series_totals(browser) -> list[int]:
    """The chart's text alternative, opened to read it and closed again (as a visitor finds
    it, for the screenshots)."""
    summary = browser.find_element(By.CSS_SELECTOR, "#chart-data summary")
    summary.click()
    cells = browser.find_elements(By.CSS_SELECTOR, "#chart-data tfoot td.num:not(#chart-total)")
    totals = [int(cell.text) for cell in cells if cell.text]
    summary.click()
    return totals


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_the_demo_dashboards_show_the_apis_figures(browser, live_server, api_client):
    call_command("seed_demo", password="a-long-demo-password", stdout=None)
    call_command("seed_demo_activity", stdout=None)
    msp = Organization.objects.get(slug="demo-msp")
    log_in(browser, live_server.url, DEMO_USER_EMAIL, "a-long-demo-password")
    WebDriverWait(browser, 10).until(EC.url_to_be(f"{live_server.url}/o/demo-msp/"))

    api = api_client(msp)
    summary = api.get("/api/v1/coverage/summary/").json()["totals"]
    shown = tile_figures(browser, "verdict-tiles")
    assert shown["domains"] == summary["domains"] == 12
    assert {v: shown[v] for v in summary["verdicts"]} == summary["verdicts"]
    trend = api.get("/api/v1/trends/", {"group_by": "organization"}).json()
    activity = tile_figures(browser, "activity-tiles")
    assert activity["sessions"] == trend["total"]["sessions"] > 0
    assert activity["failed"] == trend["total"]["failed"]
    assert chart_series_totals(browser) == [g["total"]["failed"] for g in trend["groups"]]
    clients = browser.find_element(By.ID, "clients").text
    assert "Acme Manufacturing" in clients and "Globex Health" in clients
    save_screens(browser, "dashboard-msp")

    browser.find_element(By.LINK_TEXT, "Acme Manufacturing").click()
    WebDriverWait(browser, 10).until(EC.url_to_be(f"{live_server.url}/o/acme/"))
    acme = api.get("/api/v1/coverage/summary/", {"organization": "acme"}).json()["totals"]
    assert tile_figures(browser, "verdict-tiles")["domains"] == acme["domains"] == 6
    by_type = api.get("/api/v1/trends/", {"organization": "acme", "group_by": "result_type"})
    assert "by result type" in browser.find_element(By.ID, "chart-data").text
    assert chart_series_totals(browser) == [g["total"]["failed"] for g in by_type.json()["groups"]]
    save_screens(browser, "dashboard-org")


def _thousand_domains(org) -> None:
    rng = random.Random(8460)
    verdicts = ["pass"] * 6 + ["warn", "fail", "error", "not_applicable"]
    rows = []
    for i in range(1000):
        verdict = rng.choice(verdicts)
        sessions = rng.randrange(0, 500)
        rows.append(
            Domain(
                organization=org,
                name=f"host{i:04}.example",
                unicode_name=f"host{i:04}.example",
                scan_verdict=verdict,
                scan_score=rng.randrange(0, 101),
                scan_gaps=["no_record"] if verdict == "fail" else [],
                sessions_7d=sessions,
                failed_7d=rng.randrange(0, sessions + 1) if rng.random() < 0.3 else 0,
            )
        )
    Domain.objects.bulk_create(rows)


def column(browser, index: int) -> list[str]:
    cells = browser.find_elements(By.CSS_SELECTOR, f"#domains tbody tr td:nth-child({index})")
    return [cell.text for cell in cells]


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_a_member_sorts_filters_pages_and_pauses_1000_domains(browser, live_server, org):
    _thousand_domains(org)
    user = MembershipFactory(organization=org, role=Role.MEMBER).user
    log_in(browser, live_server.url, user.email)
    browser.get(f"{live_server.url}/o/{org.slug}/domains/")
    assert browser.find_element(By.ID, "result-count").text == "1000 domains · page 1 of 20"
    assert column(browser, 2)[:2] == ["host0000.example", "host0001.example"]

    browser.find_element(By.LINK_TEXT, "Score").click()  # server-side: across all 1,000
    WebDriverWait(browser, 10).until(EC.url_contains("sort=score"))
    scores = [int(s) for s in column(browser, 4)]
    lowest = sorted(Domain.objects.values_list("scan_score", flat=True))[:50]
    assert scores == lowest

    Select(browser.find_element(By.NAME, "verdict")).select_by_value("fail")
    browser.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
    WebDriverWait(browser, 10).until(EC.url_contains("verdict=fail"))
    failing = Domain.objects.filter(scan_verdict="fail").count()
    assert browser.find_element(By.ID, "result-count").text.startswith(f"{failing} domains")
    assert set(column(browser, 3)) == {"Fail"}

    browser.find_element(By.PARTIAL_LINK_TEXT, "next").click()
    WebDriverWait(browser, 10).until(EC.url_contains("page=2"))
    assert "page 2 of" in browser.find_element(By.ID, "result-count").text
    assert "verdict=fail" in browser.current_url and "sort=score" in browser.current_url
    save_screens(browser, "domain-list")

    picked = column(browser, 2)[:2]
    for box in browser.find_elements(By.CSS_SELECTOR, "#domains input[name=ids]")[:2]:
        box.click()
    browser.find_element(By.CSS_SELECTOR, "button[value=pause]").click()
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "bulk-confirm")))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Confirm a change to 2 domains"
    save_screens(browser, "domain-bulk-confirm")
    browser.find_element(By.ID, "confirm").click()
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "result-count")))
    assert "Paused 2 domain(s)." in browser.find_element(By.CSS_SELECTOR, "ul.messages").text
    assert "page=2" in browser.current_url  # back where the selection was made
    paused = set(Domain.objects.filter(is_active=False).values_list("unicode_name", flat=True))
    assert paused == set(picked)


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_an_empty_organization_shows_the_first_step(browser, live_server, org):
    user = MembershipFactory(organization=org, role=Role.MEMBER).user
    log_in(browser, live_server.url, user.email)
    WebDriverWait(browser, 10).until(EC.url_to_be(f"{live_server.url}/o/{org.slug}/"))
    assert "Add your first domains" in browser.find_element(By.ID, "first-step").text
    assert not browser.find_elements(By.TAG_NAME, "table")
    save_screens(browser, "dashboard-empty")
