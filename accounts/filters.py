"""django-filter FilterSets for the accounts API; related choices are tenant-scoped."""

from __future__ import annotations

import django_filters

from accounts.models import Domain, Organization, ScanMtaSts
from api.filters import StrictBooleanFilter, organization_filter


class DomainFilter(django_filters.FilterSet):
    tag = django_filters.CharFilter(
        field_name="tags__name", help_text="Only domains carrying this tag."
    )
    active = StrictBooleanFilter(field_name="is_active")
    organization = organization_filter()
    mta_sts = django_filters.ChoiceFilter(
        field_name="scan_mta_sts",
        choices=ScanMtaSts.choices,
        help_text="Latest MTA-STS status (the second axis beside the verdict).",
    )

    class Meta:
        model = Domain
        fields = ["tag", "active", "organization", "mta_sts"]


class OrganizationFilter(django_filters.FilterSet):
    is_client = StrictBooleanFilter(field_name="managed_by", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Organization
        fields = ["is_client"]
