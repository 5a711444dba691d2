"""django-filter FilterSets for the reports API; related choices are tenant-scoped."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import Organization
from api.filters import StrictBooleanFilter, organization_filter, validate_id_or_name
from reports.models import QuarantinedPolicy, Report, ReportPolicy
from reports.routing import normalize_policy_domain


class ReportFilter(django_filters.FilterSet):
    domain = django_filters.CharFilter(
        method="filter_domain",
        validators=[validate_id_or_name],
        help_text="A domain's id or name: reports with at least one policy for that domain.",
    )
    reporter = django_filters.CharFilter(
        field_name="organization_name",
        lookup_expr="iexact",
        help_text="The reporting organization (`organization-name`), case-insensitive.",
    )
    start_after = django_filters.DateFilter(
        field_name="start",
        lookup_expr="date__gte",
        help_text="Reports whose period starts on or after this UTC date (YYYY-MM-DD).",
    )
    end_before = django_filters.DateFilter(
        field_name="end",
        lookup_expr="date__lte",
        help_text="Reports whose period ends on or before this UTC date (YYYY-MM-DD).",
    )
    has_failures = StrictBooleanFilter(
        method="filter_has_failures",
        help_text="true: at least one policy counted failed sessions; false: none did.",
    )
    has_conflicts = StrictBooleanFilter(
        method="filter_has_conflicts",
        help_text="true: another copy of a policy (other content) is kept but not counted.",
    )
    organization = organization_filter()

    class Meta:
        model = Report
        fields = [
            "domain",
            "reporter",
            "start_after",
            "end_before",
            "has_failures",
            "has_conflicts",
            "organization",
        ]

    def filter_domain(self, queryset: QuerySet[Report], name: str, value: str) -> QuerySet[Report]:
        value = value.strip()
        if value.isdigit():
            policies = ReportPolicy.objects.filter(domain_id=int(value))
        else:
            policies = ReportPolicy.objects.filter(domain__name=normalize_policy_domain(value))
        # The report rows are already tenant-scoped; the subquery only narrows them.
        return queryset.filter(Exists(policies.filter(report=OuterRef("pk"))))

    def filter_has_failures(
        self, queryset: QuerySet[Report], name: str, value: bool | None
    ) -> QuerySet[Report]:
        if value is None:
            return queryset
        failing = Exists(
            ReportPolicy.objects.filter(report=OuterRef("pk"), failed__gt=0, counted=True)
        )
        return queryset.filter(failing if value else ~failing)

    def filter_has_conflicts(
        self, queryset: QuerySet[Report], name: str, value: bool | None
    ) -> QuerySet[Report]:
        if value is None:
            return queryset
        other = Exists(ReportPolicy.objects.filter(report=OuterRef("pk"), counted=False))
        return queryset.filter(other if value else ~other)


class QuarantineFilter(django_filters.FilterSet):
    open = StrictBooleanFilter(
        field_name="resolved_at",
        lookup_expr="isnull",
        help_text="true: still in quarantine; false: already stored by a reprocess.",
    )
    policy_domain = django_filters.CharFilter(
        method="filter_policy_domain", help_text="The policy-domain the report named."
    )
    reporter = django_filters.CharFilter(field_name="organization_name", lookup_expr="iexact")
    organization = organization_filter()

    class Meta:
        model = QuarantinedPolicy
        fields = ["open", "policy_domain", "reporter", "organization"]

    def filter_policy_domain(self, queryset, name: str, value: str):
        return queryset.filter(policy_domain=normalize_policy_domain(value))


class ReportingAddressFilter(django_filters.FilterSet):
    is_client = StrictBooleanFilter(field_name="managed_by", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Organization
        fields = ["is_client"]
