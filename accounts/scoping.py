"""The one place where a queryset is narrowed to what a tenant may see.

A request carries a ``Scope``: the organization it acts for and whether that reach includes the
organization's clients (an MSP's API token, or an MSP admin/owner in the web UI). Every view and
viewset gets its rows through ``scope_to_org``; it fails closed: no scope, or a model that does
not say how it reaches its organization, raises instead of returning every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from accounts.models import Organization

M = TypeVar("M", bound=Model)


class ScopeError(RuntimeError):
    """A queryset was about to be served without a tenant scope."""


@dataclass(frozen=True)
class Scope:
    organization: Organization
    includes_clients: bool

    def organization_ids(self) -> QuerySet[Organization]:
        """The ids this scope reaches, as a subquery (no extra round trip)."""
        condition = Q(pk=self.organization.pk)
        if self.includes_clients:
            condition |= Q(managed_by_id=self.organization.pk)
        return Organization.objects.filter(condition).values("pk")

    def reaches(self, organization: Organization) -> bool:
        if organization.pk == self.organization.pk:
            return True
        return self.includes_clients and organization.managed_by_id == self.organization.pk


def scope_to_org(queryset: QuerySet[M], scope: Scope | None) -> QuerySet[M]:
    """Narrow ``queryset`` to the rows of the organizations ``scope`` reaches."""
    if scope is None or not isinstance(scope, Scope):
        raise ScopeError("refusing to serve rows without a tenant scope")
    path = getattr(queryset.model, "org_path", None)
    if not path:
        raise ScopeError(f"{queryset.model.__name__} has no org_path and cannot be scoped")
    return queryset.filter(**{f"{path}__in": scope.organization_ids()})


def scope_for_token_organization(organization: Organization) -> Scope:
    """An API token acts for its organization and, if that organization is an MSP, its clients."""
    return Scope(organization=organization, includes_clients=not organization.is_client)
