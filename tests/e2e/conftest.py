"""A real headless Chromium (Debian's chromium + chromium-driver) driving the live server."""

from __future__ import annotations

import shutil

import pytest

from tests.scans.conftest import dns_server, dns_settings, zone_name  # noqa: F401  (shared fixtures)
from tests.services import require_service

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    require_service(
        bool(shutil.which("chromium") and shutil.which("chromedriver")),
        "Chromium and chromedriver (apt-get install chromium chromium-driver)",
    )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def pytest_terminal_summary(terminalreporter):
    """Says where the browser tests left their screenshots (before pytest's summary line)."""
    from tests.e2e.screens import screenshot_dir

    shots = sorted(screenshot_dir().glob("*.png"))
    if shots:
        terminalreporter.write_line(f"screenshots: {len(shots)} in {screenshot_dir()}")
