"""reports.trends.trend as a selector: it takes a Scope and narrows every read itself.

The API behaviour (grouping, periods, CSV) is in tests/portfolio/test_api_trends.py."""

from __future__ import annotations

import pytest

from accounts.models import Domain
from accounts.scoping import Scope, ScopeError
from reports.trends import GroupBy, trend
from tests.portfolio.helpers import days_ago, domain, ingest, policy

pytestmark = pytest.mark.django_db

WINDOW = {"start": days_ago(3), "end": days_ago(1)}


@pytest.fixture
def two_tenants(org, other_org):
    """The same tag on a domain of each organization, each with its own sessions."""
    mine = domain(org, "mine.example", tags=("prod",))
    theirs = domain(other_org, "theirs.example", tags=("prod",))
    ingest(org, days_ago(2), policy("mine.example", 10, 1))
    ingest(other_org, days_ago(2), policy("theirs.example", 50, 50))
    return mine, theirs


def test_a_trend_without_a_scope_is_refused(two_tenants):
    with pytest.raises(ScopeError):
        trend(scope=None, **WINDOW)


@pytest.mark.parametrize("target", [{}, {"tag": "prod"}], ids=["organizations", "tag"])
def test_a_trend_adds_up_only_what_the_scope_reaches(org, two_tenants, target):
    result = trend(scope=Scope(org, includes_clients=False), **WINDOW, **target)
    assert (result.total.successful, result.total.failed) == (10, 1)


def test_another_organizations_domain_is_not_found(org, two_tenants):
    _, theirs = two_tenants
    with pytest.raises(Domain.DoesNotExist):
        trend(scope=Scope(org, includes_clients=False), domain_id=theirs.pk, **WINDOW)


def test_an_organization_outside_the_scope_adds_nothing(org, other_org, two_tenants):
    result = trend(scope=Scope(org, includes_clients=False), organization=other_org, **WINDOW)
    assert result.total.failed == 0


def test_domain_groups_are_labelled_from_the_scopes_domains(org, two_tenants):
    result = trend(
        scope=Scope(org, includes_clients=False), tag="prod", group_by=GroupBy.DOMAIN, **WINDOW
    )
    assert [g.label for g in result.groups] == ["mine.example"]
