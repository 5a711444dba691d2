"""Every web page keeps tenants apart (the pages are listed in tests/web/pages.py)."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role
from tests.web.helpers import login
from tests.web.pages import PAGES, PUBLIC

pytestmark = pytest.mark.django_db
pages = pytest.mark.parametrize("page", PAGES, ids=str)


def web_url_names(patterns=None) -> set[str]:
    """Names of the URL patterns whose view lives in the ``web`` app."""
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            names |= web_url_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            module = getattr(pattern.callback, "__module__", "") or ""
            if module.split(".")[0] == "web":
                names.add(pattern.name)
    return names


def test_every_web_page_has_a_cross_tenant_case():
    listed = {page.name for page in PAGES}
    missing = web_url_names() - listed - set(PUBLIC)
    assert not missing, f"add a Page(...) to tests/web/pages.py for: {sorted(missing)}"
    assert not listed & set(PUBLIC)


@pages
def test_a_user_of_another_organization_gets_404(page, client, org, other_org):
    url = reverse(page.name, kwargs=page.make(org))
    login(client, other_org, Role.OWNER)
    if page.get:
        assert client.get(url, page.query).status_code == 404
    if page.post is not None:
        assert client.post(url, page.post).status_code == 404


@pages
def test_their_objects_under_my_own_slug_are_404(page, client, org, other_org):
    """The sneaky case: my organization in the URL, another organization's object id."""
    kwargs = page.make(org)
    url = reverse(page.name, kwargs={**kwargs, "slug": other_org.slug})
    login(client, other_org, Role.OWNER)
    if set(kwargs) == {"slug"}:  # no object besides the organization: my own page answers
        if page.get:
            assert client.get(url, page.query).status_code == 200
        return
    if page.get:
        assert client.get(url, page.query).status_code == 404
    if page.post is not None:
        assert client.post(url, page.post).status_code == 404


@pages
def test_a_client_admin_does_not_reach_its_msp(page, client, msp, client_org):
    url = reverse(page.name, kwargs=page.make(msp))
    login(client, client_org, Role.ADMIN)
    response = client.get(url, page.query) if page.get else client.post(url, page.post)
    assert response.status_code == 404
