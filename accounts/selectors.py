"""Read paths for the web UI: which organizations a user reaches, and with which role."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from accounts.models import (
    ApiToken,
    Domain,
    Invitation,
    Membership,
    Organization,
    Role,
    User,
    role_at_least,
)
from accounts.scoping import Scope, scope_to_org

MANAGING_ROLES = (Role.OWNER, Role.ADMIN)


@dataclass(frozen=True)
class WebAccess:
    """The organization a page acts for, the user's effective role there, and the scope."""

    scope: Scope
    role: str

    @property
    def organization(self) -> Organization:
        return self.scope.organization

    def can(self, minimum_role: str) -> bool:
        return role_at_least(self.role, minimum_role)


def organizations_for_user(*, user: User) -> QuerySet[Organization]:
    """Organizations the user is a member of, plus clients of MSPs where they are admin/owner."""
    member_of = Membership.objects.filter(user=user).values("organization_id")
    manages = Membership.objects.filter(user=user, role__in=MANAGING_ROLES).values(
        "organization_id"
    )
    return (
        Organization.objects.filter(Q(pk__in=member_of) | Q(managed_by__in=manages))
        .select_related("managed_by")
        .annotate(domain_count=Count("domains"))
        .order_by(F("managed_by_id").asc(nulls_first=True), "name", "id")
    )


def web_access_for(*, user: User, slug: str) -> WebAccess:
    """Resolve the organization in a URL for ``user``; a non-member gets 404, not 403."""
    org = Organization.objects.select_related("managed_by").filter(slug=slug).first()
    if org is None or not user.is_authenticated:
        raise Http404("no such organization")
    roles = dict(
        Membership.objects.filter(
            user=user, organization_id__in=[org.pk, org.managed_by_id]
        ).values_list("organization_id", "role")
    )
    if org.pk in roles:
        role = roles[org.pk]
        includes_clients = not org.is_client and role in MANAGING_ROLES
        return WebAccess(scope=Scope(org, includes_clients=includes_clients), role=role)
    msp_role = roles.get(org.managed_by_id)
    if msp_role in MANAGING_ROLES:
        return WebAccess(scope=Scope(org, includes_clients=False), role=msp_role)
    raise Http404("no such organization")


def domain_list(*, scope: Scope) -> QuerySet[Domain]:
    return (
        scope_to_org(Domain.objects.all(), scope)
        .select_related("organization")
        .prefetch_related("tags")
        .order_by("organization__name", "name", "id")
    )


def api_token_list(*, organization: Organization) -> QuerySet[ApiToken]:
    """The organization's own tokens (an MSP's page does not list its clients' tokens)."""
    return scope_to_org(ApiToken.objects.all(), Scope(organization, includes_clients=False))


def member_list(*, organization: Organization) -> QuerySet[Membership]:
    """The organization's own members (an MSP's members are not listed on its clients)."""
    own = Scope(organization, includes_clients=False)
    return (
        scope_to_org(Membership.objects.all(), own)
        .select_related("user")
        .order_by("user__email", "id")
    )


def invitation_list_pending(*, organization: Organization, now) -> QuerySet[Invitation]:
    """Invitations of the organization whose link still works, newest first."""
    own = Scope(organization, includes_clients=False)
    return scope_to_org(Invitation.objects.all(), own).filter(
        accepted_at=None, revoked_at=None, expires_at__gt=now
    )


def organization_choices(*, scope: Scope) -> QuerySet[Organization]:
    """Organizations a scope may pick as a target (forms, serializers, filters)."""
    return scope_to_org(Organization.objects.all(), scope).order_by("name", "id")


def unknown_organization_message(slug: object) -> str:
    """The one error text for an organization slug the scope does not reach, wherever a slug is
    read (API filters and bodies): it never tells a missing slug from another tenant's."""
    return (
        f"no organization with slug {str(slug)!r} among those this token reaches; "
        "GET /api/v1/organizations/ lists their slugs"
    )
