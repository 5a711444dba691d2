"""scans.selectors read paths take a Scope and narrow every read themselves."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.scoping import Scope, ScopeError
from scans.models import ExternalAuthorization, ExternalAuthorizationStatus
from scans.selectors import authorization_hosts
from tests.factories import DomainFactory

pytestmark = pytest.mark.django_db


def authorization(organization, host: str, status: str) -> ExternalAuthorization:
    domain = DomainFactory(organization=organization)
    return ExternalAuthorization.objects.create(
        domain=domain,
        uri=f"mailto:tlsrpt@{host}",
        rua_host=host,
        record_name=f"{domain.name}._report._tls.{host}",
        status=status,
        checked_at=timezone.now(),
    )


@pytest.fixture
def two_tenants(org, other_org):
    authorization(org, "mine.net", ExternalAuthorizationStatus.MISSING)
    authorization(org, org.name.lower() + ".example", ExternalAuthorizationStatus.NOT_NEEDED)
    authorization(other_org, "theirs.net", ExternalAuthorizationStatus.AUTHORIZED)


def test_authorization_hosts_without_a_scope_are_refused(two_tenants):
    with pytest.raises(ScopeError):
        authorization_hosts(scope=None)


@pytest.mark.parametrize(
    "narrowed",
    [None, ExternalAuthorization.objects.all()],
    ids=["no-filter", "an-unscoped-queryset"],
)
def test_authorization_hosts_are_only_the_scopes_external_hosts(org, two_tenants, narrowed):
    hosts = authorization_hosts(scope=Scope(org, includes_clients=False), narrowed=narrowed)
    assert [(h["rua_host"], h["missing_records"]) for h in hosts] == [("mine.net", 1)]


def test_the_callers_filter_narrows_the_hosts(org, two_tenants):
    authorization(org, "other.net", ExternalAuthorizationStatus.AUTHORIZED)
    narrowed = ExternalAuthorization.objects.filter(status=ExternalAuthorizationStatus.AUTHORIZED)
    hosts = authorization_hosts(scope=Scope(org, includes_clients=False), narrowed=narrowed)
    assert [h["rua_host"] for h in hosts] == ["other.net"]
