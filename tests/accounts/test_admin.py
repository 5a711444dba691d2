"""The operator admin: every model has a working list, and token secrets never appear."""

from __future__ import annotations

import pytest
from django.contrib import admin

from accounts.models import ApiToken
from accounts.services import api_token_create, domain_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model",
    [m for m in admin.site._registry if m._meta.app_label == "accounts"],
    ids=lambda m: m.__name__,
)
def test_every_accounts_model_has_a_searchable_admin_list(operator, org, model):
    domain_create(organization=org, name="listed.example", tags=["eu"])
    url = f"/admin/accounts/{model._meta.model_name}/"
    assert operator.get(url).status_code == 200
    assert operator.get(url, {"q": "example"}).status_code == 200


def test_a_token_added_in_the_admin_is_shown_once_then_only_by_prefix(operator, org):
    response = operator.post(
        "/admin/accounts/apitoken/add/",
        {"organization": org.pk, "name": "from-admin", "scope": "write"},
        follow=True,
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="from-admin")
    shown = [str(m) for m in response.context["messages"]]
    assert any(token.prefix in m and "not shown again" in m for m in shown)
    change_page = operator.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert token.prefix in change_page
    assert token.digest not in change_page


def test_an_existing_tokens_secret_and_digest_are_absent_from_the_admin(operator, org):
    token, plaintext = api_token_create(organization=org, name="cli")
    for url in ("/admin/accounts/apitoken/", f"/admin/accounts/apitoken/{token.pk}/change/"):
        page = operator.get(url).content.decode()
        assert plaintext not in page
        assert token.digest not in page


def test_the_domain_admin_normalizes_names_and_explains_bad_ones(operator, org):
    response = operator.post(
        "/admin/accounts/domain/add/",
        {"organization": org.pk, "name": "co.uk", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "public suffix" in response.content.decode()
    operator.post(
        "/admin/accounts/domain/add/",
        {"organization": org.pk, "name": "Bücher.Example.", "is_active": "on"},
    )
    assert org.domains.get().name == "xn--bcher-kva.example"
    assert org.domains.get().unicode_name == "bücher.example"


def test_rotating_a_report_token_replaces_the_secret(operator, org, other_org):
    before, untouched = org.report_token, other_org.report_token
    operator.post(
        "/admin/accounts/organization/",
        {"action": "rotate_report_token", "_selected_action": [org.pk]},
    )
    org.refresh_from_db()
    other_org.refresh_from_db()
    assert org.report_token != before and len(org.report_token) == 32
    assert other_org.report_token == untouched
