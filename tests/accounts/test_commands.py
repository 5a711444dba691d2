"""Operator commands: create_org, create_token (prints only the token), seed_demo (idempotent)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import ApiToken, Domain, Organization, TokenScope, User
from accounts.services import api_token_authenticate
from demo.data import DEMO_USER_EMAIL

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_org_prints_the_slug_and_links_a_client_to_its_msp():
    assert run("create_org", "Big MSP").strip() == "big-msp"
    assert run("create_org", "Small Client", "--slug", "small", "--managed-by", "big-msp") == (
        "small\n"
    )
    assert Organization.objects.get(slug="small").managed_by.slug == "big-msp"


def test_create_org_refuses_an_unknown_msp_and_a_client_as_msp():
    run("create_org", "Top")
    run("create_org", "Client", "--managed-by", "top")
    with pytest.raises(CommandError, match="no organization with slug 'nope'"):
        run("create_org", "X", "--managed-by", "nope")
    with pytest.raises(CommandError, match="itself a client organization"):
        run("create_org", "Y", "--managed-by", "client")


def test_create_token_prints_only_a_working_token(org):
    output = run("create_token", "--org", org.slug, "--name", "rmm-sync", "--write")
    assert output.count("\n") == 1
    plaintext = output.strip()
    token = api_token_authenticate(plaintext)
    assert token is not None and token.organization == org
    assert token.scope == TokenScope.WRITE
    assert ApiToken.objects.get().name == "rmm-sync"


def test_create_token_defaults_to_read_only():
    run("create_org", "Org")
    token = api_token_authenticate(run("create_token", "--org", "org", "--name", "r").strip())
    assert token.scope == TokenScope.READ


def test_seed_demo_builds_an_msp_with_two_clients_and_is_safe_to_run_twice(settings):
    settings.DEBUG = True
    run("seed_demo")
    first = (Organization.objects.count(), Domain.objects.count(), User.objects.count())
    run("seed_demo")
    assert (Organization.objects.count(), Domain.objects.count(), User.objects.count()) == first
    msp = Organization.objects.get(slug="demo-msp")
    assert msp.clients.count() == 2
    assert first[1] >= 12
    assert User.objects.get(email=DEMO_USER_EMAIL).check_password("demo")


def test_seed_demo_refuses_the_default_password_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="password"):
        run("seed_demo")
