"""The demo digest as a mail client would show it, and the notification pages, in Chromium."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from accounts.models import Domain, Membership, Role
from demo.data import DEMO_USER_EMAIL
from notify.digest_data import digest_gather
from notify.digest_schedule import DuePeriod, latest_slot
from notify.digests import digest_preview
from notify.models import DigestDelivery, DigestStatus
from notify.preferences import digest_wish, preference_for
from tests.e2e.screens import save_screens, screenshot_dir
from tests.factories import MembershipFactory

PASSWORD = "correct horse battery staple"


@pytest.mark.live
@pytest.mark.django_db
def test_the_demo_digest_renders_readably_at_desktop_and_phone_width(browser):
    call_command("seed_demo", password="a-long-demo-password", stdout=StringIO())
    call_command("seed_demo_activity", stdout=StringIO())
    membership = Membership.objects.get(user__email=DEMO_USER_EMAIL)
    _previous_digest(membership)
    rendered = digest_preview(membership=membership, now=timezone.now())
    page = screenshot_dir() / "digest-demo.html"
    page.write_text(rendered.html, encoding="utf-8")

    browser.get(page.as_uri())
    assert browser.find_element(By.TAG_NAME, "h1").text == "Demo MSP"
    body = browser.find_element(By.TAG_NAME, "body").text
    for heading in (
        "Acme Manufacturing",
        "Globex Health",
        "New since the last digest (1)",
        "Fixed since the last digest (1)",
        "Coverage gaps",
        "Top failure types",
    ):
        assert heading in body
    # No image, stylesheet or script: nothing a mail client would block or strip.
    for tag in ("img", "link", "script", "style"):
        assert not browser.find_elements(By.TAG_NAME, tag), tag
    save_screens(browser, "digest-demo")


def _previous_digest(membership) -> None:
    """A digest sent a week earlier that did not list one of today's gaps yet and listed one
    that is gone now, so the screenshot shows "new" and "fixed" too."""
    now = timezone.now()
    end = latest_slot(digest_wish(membership), now)
    week = timedelta(days=7)
    digest = digest_gather(
        membership=membership, due=DuePeriod(membership.pk, "weekly", end - week, end), now=now
    )
    acme = Domain.objects.get(name="acme.example")  # no gap today
    DigestDelivery.objects.create(
        membership=membership,
        period="weekly",
        period_start=end - 2 * week,
        period_end=end - week,
        status=DigestStatus.SENT,
        gap_keys=[*digest.gap_keys[1:], ["no_record", acme.pk, acme.organization_id, acme.name]],
    )


def _log_in(browser, live_server, user) -> None:
    browser.get(f"{live_server.url}/login/")
    browser.find_element(By.NAME, "username").send_keys(user.email)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(browser, 10).until(EC.url_changes(f"{live_server.url}/login/"))


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_a_member_opts_in_to_a_daily_digest_then_unsubscribes_from_the_link(
    browser, live_server, org
):
    membership = MembershipFactory(organization=org, role=Role.MEMBER)
    _log_in(browser, live_server, membership.user)
    browser.get(f"{live_server.url}/o/{org.slug}/settings/notifications/")
    Select(browser.find_element(By.NAME, "digest")).select_by_value("daily")
    Select(browser.find_element(By.NAME, "digest_hour")).select_by_value("18")
    save_screens(browser, "notification-settings")
    browser.find_element(By.CSS_SELECTOR, "#notification-settings button").click()
    WebDriverWait(browser, 10).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, "ul.messages"))
    )
    preference = preference_for(membership)
    assert (preference.digest, preference.digest_hour) == ("daily", 18)

    browser.delete_all_cookies()  # the link in the email works without a session
    from notify.preferences import unsubscribe_url

    browser.get(unsubscribe_url(membership.pk).replace("http://127.0.0.1:8000", live_server.url))
    save_screens(browser, "unsubscribe")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(browser, 10).until(
        EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Unsubscribed")
    )
    preference.refresh_from_db()
    assert preference.digest == "off"
