"""django-filter FilterSets for the accounts API; related choices are tenant-scoped."""

from __future__ import annotations

import django_filters

from accounts.models import Domain, Organization
from accounts.selectors import organization_choices


def _reachable_organizations(request):
    if request is None:  # schema generation
        return Organization.objects.none()
    return organization_choices(scope=request.scope)


def organization_filter() -> django_filters.ModelChoiceFilter:
    """The ``organization`` filter of every list: a slug, chosen among the organizations the
    request's token reaches (so another tenant's slug is a validation error, not a probe)."""
    return django_filters.ModelChoiceFilter(
        field_name="organization",
        to_field_name="slug",
        queryset=_reachable_organizations,
        help_text="Slug of the organization (an MSP token reaches its clients too).",
    )


class DomainFilter(django_filters.FilterSet):
    tag = django_filters.CharFilter(
        field_name="tags__name", help_text="Only domains carrying this tag."
    )
    active = django_filters.BooleanFilter(field_name="is_active")
    organization = organization_filter()

    class Meta:
        model = Domain
        fields = ["tag", "active", "organization"]


class OrganizationFilter(django_filters.FilterSet):
    is_client = django_filters.BooleanFilter(
        field_name="managed_by", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Organization
        fields = ["is_client"]
