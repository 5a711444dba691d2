"""Organization pages reach onboarding and settings through the organization bar.

Adding domains is tested in test_onboarding_pages.py and API tokens in test_settings_page.py
(the tokens page became a section of the settings page).
"""

from __future__ import annotations

import pytest

from accounts.models import Role
from tests.web.helpers import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ADMIN])
def test_the_organization_bar_links_adding_domains_and_the_settings(client, org, role):
    login(client, org, role)
    page = client.get(f"/o/{org.slug}/").content.decode()
    assert f'href="/o/{org.slug}/domains/add/"' in page
    assert f'href="/o/{org.slug}/settings/"' in page


def test_nobody_adds_domains_to_another_organization(client, org, other_org):
    login(client, org, Role.OWNER)
    response = client.post(f"/o/{other_org.slug}/domains/add/", {"names": "x.example"})
    assert response.status_code == 404
