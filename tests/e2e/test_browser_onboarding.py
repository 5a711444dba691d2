"""The main web flow in a real browser: log in, add client domains, read them back."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from accounts.models import Domain, Role
from tests.e2e.screens import save_screens
from tests.factories import MembershipFactory

PASSWORD = "correct horse battery staple"


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_a_member_logs_in_and_onboards_domains(browser, live_server, org):
    user = MembershipFactory(organization=org, role=Role.MEMBER).user

    browser.get(f"{live_server.url}/")
    browser.find_element(By.NAME, "login").send_keys(user.email)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    # Wait for the next page: the login page has an <h1> too.
    WebDriverWait(browser, 10).until(EC.url_to_be(f"{live_server.url}/o/{org.slug}/"))
    assert browser.find_element(By.TAG_NAME, "h1").text == org.name

    browser.find_element(By.CSS_SELECTOR, "main details summary").click()
    browser.find_element(By.NAME, "names").send_keys("Shop.Example\nbücher.example\nco.uk")
    browser.find_element(By.NAME, "tags").send_keys("eu")
    browser.find_element(By.CSS_SELECTOR, "#add-domains button").click()

    WebDriverWait(browser, 10).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, "ul.messages"))
    )
    messages = browser.find_element(By.CSS_SELECTOR, "ul.messages").text
    assert "2 added, 0 already present." in messages
    assert "co.uk: 'co.uk' is a public suffix" in messages
    table = browser.find_element(By.ID, "domains").text
    assert "shop.example" in table
    assert "bücher.example (xn--bcher-kva.example)" in table
    assert Domain.objects.filter(organization=org).count() == 2
    save_screens(browser, "organization-after-adding-domains")
