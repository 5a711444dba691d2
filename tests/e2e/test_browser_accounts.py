"""Accounts in a real browser: sign up, invite a colleague by email (a real SMTP server on
loopback receives it), the colleague signs up through the emailed link and accepts; an MSP
admin logs in and switches between the MSP and its clients."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from accounts.models import Membership, Role
from tests.e2e.screens import save_screens
from tests.factories import MembershipFactory, OrganizationFactory
from tests.mail import body_text

PASSWORD = "correct horse battery staple"


def _wait_for_path(browser, live_server, path: str) -> None:
    WebDriverWait(browser, 10).until(EC.url_to_be(f"{live_server.url}{path}"))


def _wait_for_heading(browser, text: str) -> None:
    """After a submit, the old page's <h1> may still be there for a moment."""
    WebDriverWait(browser, 10).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), text))


def _fill(browser, **fields) -> None:
    for name, value in fields.items():
        element = browser.find_element(By.NAME, name)
        element.clear()
        element.send_keys(value)


def _submit(browser, form_selector: str = "main form") -> None:
    browser.find_element(By.CSS_SELECTOR, f"{form_selector} button[type=submit]").click()


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_sign_up_invite_a_colleague_who_joins_through_the_emailed_link(
    browser, live_server, smtp_server, settings
):
    settings.TLSMON_BASE_URL = live_server.url  # the emailed link points at this server
    browser.get(f"{live_server.url}/signup/")
    _fill(browser, email="founder@acme.example", password1="x", organization="")
    _submit(browser)
    WebDriverWait(browser, 10).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, ".field.invalid"))
    )
    errors = browser.find_elements(By.CSS_SELECTOR, ".field.invalid")
    assert len(errors) == 2  # organization missing, password too short: beside each field
    save_screens(browser, "signup-errors")
    _fill(browser, password1=PASSWORD, organization="Acme Mail")
    save_screens(browser, "signup")
    _submit(browser)
    _wait_for_path(browser, live_server, "/o/acme-mail/")

    browser.get(f"{live_server.url}/o/acme-mail/members/")
    browser.find_element(By.CSS_SELECTOR, "#invite input[name=email]").send_keys(
        "colleague@acme.example"
    )
    Select(browser.find_element(By.CSS_SELECTOR, "#invite select[name=role]")).select_by_value(
        "admin"
    )
    _submit(browser, "#invite")
    WebDriverWait(browser, 10).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, "#invitations"))
    )
    assert "Invitation sent to colleague@acme.example." in browser.page_source
    save_screens(browser, "members-owner")

    [message] = smtp_server.wait_for(1)
    assert smtp_server.to("colleague@acme.example") == [message]
    link = re.search(r"http://\S+/invitations/\S+/", body_text(message)).group(0)
    assert link.startswith(live_server.url)

    browser.find_element(By.CSS_SELECTOR, "header form button").click()  # log out
    _wait_for_path(browser, live_server, "/login/")
    browser.get(link)
    offer = browser.find_element(By.ID, "invitation").text
    assert "founder@acme.example invited colleague@acme.example to join Acme Mail as Admin" in offer
    save_screens(browser, "invitation")
    browser.find_element(By.LINK_TEXT, "Create an account").click()
    assert browser.find_element(By.NAME, "email").get_attribute("value") == (
        "colleague@acme.example"
    )
    assert "You are joining Acme Mail as Admin" in browser.find_element(By.TAG_NAME, "main").text
    save_screens(browser, "signup-invited")
    _fill(browser, password1=PASSWORD)
    _submit(browser)
    _wait_for_path(browser, live_server, link.removeprefix(live_server.url))
    browser.find_element(By.XPATH, "//button[normalize-space()='Accept and join']").click()
    _wait_for_path(browser, live_server, "/o/acme-mail/")
    assert "You joined Acme Mail as Admin." in browser.page_source

    browser.get(f"{live_server.url}/o/acme-mail/members/")
    rows = browser.find_element(By.ID, "members").text
    assert "colleague@acme.example you" in rows and "founder@acme.example" in rows
    membership = Membership.objects.get(user__email="colleague@acme.example")
    assert (membership.organization.slug, membership.role) == ("acme-mail", Role.ADMIN)
    save_screens(browser, "members-after-accepting")

    browser.get(link)  # a link works once
    assert "This invitation was already used" in browser.page_source
    save_screens(browser, "invitation-used")


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_an_msp_admin_logs_in_and_switches_to_a_client(browser, live_server, msp, client_org):
    OrganizationFactory(name="Bakery Brothers GmbH & Co. KG", slug="bakery", managed_by=msp)
    admin = MembershipFactory(organization=msp, role=Role.ADMIN).user

    browser.get(f"{live_server.url}/login/")
    _fill(browser, login=admin.email, password="wrong")
    _submit(browser)
    WebDriverWait(browser, 10).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, ".form-errors"))
    )
    assert "not correct" in browser.find_element(By.CSS_SELECTOR, ".form-errors").text
    save_screens(browser, "login-error")
    _fill(browser, login=admin.email, password=PASSWORD)
    save_screens(browser, "login")
    _submit(browser)
    # One organization (an MSP with its clients counts as one): its dashboard.
    WebDriverWait(browser, 10).until(EC.url_to_be(f"{live_server.url}/o/{msp.slug}/"))

    browser.get(f"{live_server.url}/o/{msp.slug}/members/")
    browser.find_element(By.CSS_SELECTOR, "details.switcher summary").click()
    menu = browser.find_element(By.CSS_SELECTOR, ".switcher-menu")
    clients = menu.find_element(By.CSS_SELECTOR, "ul.clients").text.splitlines()
    assert clients == ["Bakery Brothers GmbH & Co. KG", client_org.name]
    assert menu.find_element(By.CSS_SELECTOR, "a.current").text == msp.name
    save_screens(browser, "switcher-open")
    menu.find_element(By.LINK_TEXT, client_org.name).click()
    _wait_for_path(browser, live_server, f"/o/{client_org.slug}/")
    browser.get(f"{live_server.url}/o/{client_org.slug}/members/")
    summary = browser.find_element(By.CSS_SELECTOR, "details.switcher summary")
    assert summary.text.endswith(client_org.name)


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_a_forgotten_password_is_reset_through_the_emailed_link(
    browser, live_server, smtp_server, settings, org
):
    settings.TLSMON_BASE_URL = live_server.url
    user = MembershipFactory(organization=org, role=Role.MEMBER).user
    browser.get(f"{live_server.url}/login/")
    browser.find_element(By.LINK_TEXT, "Forgot your password?").click()
    _fill(browser, email=user.email.upper())
    save_screens(browser, "password-reset")
    _submit(browser)
    _wait_for_heading(browser, "Check your email")
    save_screens(browser, "password-reset-sent")

    [message] = smtp_server.wait_for(1)
    link = re.search(r"http://\S+/password/reset/key/\S+/", body_text(message)).group(0)
    browser.get(link)
    _wait_for_heading(browser, "Choose a new password")
    _fill(browser, password1="x", password2="y")
    _submit(browser)
    WebDriverWait(browser, 10).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, ".field.invalid"))
    )
    save_screens(browser, "password-reset-new-errors")
    _fill(browser, password1="a new long passphrase", password2="a new long passphrase")
    _submit(browser)
    _wait_for_heading(browser, "Password changed")

    browser.find_element(By.CSS_SELECTOR, "main a[href='/login/']").click()
    _fill(browser, login=user.email, password="a new long passphrase")
    _submit(browser)
    _wait_for_path(browser, live_server, f"/o/{org.slug}/")


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_a_locked_out_login_says_so_and_for_how_long(browser, live_server, settings, org):
    settings.AXES_FAILURE_LIMIT = 2
    user = MembershipFactory(organization=org, role=Role.MEMBER).user
    browser.get(f"{live_server.url}/login/")
    _fill(browser, login=user.email, password="guess")
    _submit(browser)
    WebDriverWait(browser, 10).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, ".form-errors"))
    )
    _fill(browser, login=user.email, password="guess again")
    _submit(browser)
    _wait_for_heading(browser, "Too many failed logins")
    assert "Try again in 15 minutes" in browser.find_element(By.ID, "locked-out").text
    save_screens(browser, "login-locked-out")
