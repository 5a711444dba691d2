"""Filters of the coverage list and summary (django-filter; organization choices scoped)."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.db.models import BigIntegerField, ExpressionWrapper, F, Q
from django.utils import timezone

from accounts.models import Domain, ScanMtaSts
from api.filters import StrictBooleanFilter, organization_filter
from portfolio.coverage import GAP_KINDS, VERDICTS, gap_condition, verdict_condition

_MILLION = 1_000_000


class ChoiceInFilter(django_filters.BaseInFilter, django_filters.ChoiceFilter):
    """``?verdict=fail,warn``: any of the comma-separated choices."""


def _any_of(values, condition) -> Q:
    combined = Q()
    for value in values:
        combined |= condition(value)
    return combined


class CoverageFilter(django_filters.FilterSet):
    organization = organization_filter()
    tag = django_filters.CharFilter(field_name="tags__name", help_text="Domains with this tag.")
    verdict = ChoiceInFilter(
        choices=[(v, v) for v in VERDICTS],
        method="filter_verdict",
        help_text="Latest scan verdict, any of (comma-separated); `unscanned` = never scanned.",
    )
    mta_sts = ChoiceInFilter(
        field_name="scan_mta_sts",
        lookup_expr="in",
        choices=ScanMtaSts.choices,
        help_text="Latest MTA-STS status, any of (comma-separated), e.g. `broken`.",
    )
    gap = ChoiceInFilter(
        choices=[(g, g) for g in GAP_KINDS],
        method="filter_gap",
        help_text="Domains with any of these coverage gaps (comma-separated).",
    )
    has_failures = StrictBooleanFilter(
        method="filter_has_failures",
        help_text="Failed sessions reported in the last 7 complete UTC days (true) or none.",
    )
    min_failure_rate = django_filters.NumberFilter(
        method="filter_min_failure_rate",
        min_value=0,
        max_value=1,
        help_text="Failure rate over the last 7 days at least this (0 to 1).",
    )
    active = StrictBooleanFilter(field_name="is_active")

    class Meta:
        model = Domain
        fields = ["organization", "tag", "verdict", "mta_sts", "gap", "has_failures", "active"]

    def filter_verdict(self, queryset, name, values):
        return queryset.filter(_any_of(values, verdict_condition)) if values else queryset

    def filter_gap(self, queryset, name, values):
        now = timezone.now()
        return (
            queryset.filter(_any_of(values, lambda g: gap_condition(g, now)))
            if values
            else queryset
        )

    def filter_has_failures(self, queryset, name, value):
        return queryset.filter(failed_7d__gt=0) if value else queryset.filter(failed_7d=0)

    def filter_min_failure_rate(self, queryset, name, value):
        if value is None:
            return queryset
        # failed / sessions >= rate in integers (millionths): exact on PostgreSQL and SQLite,
        # and a domain without sessions has no rate at all.
        threshold = int(Decimal(value) * _MILLION)
        scaled = ExpressionWrapper(F("failed_7d") * _MILLION, output_field=BigIntegerField())
        return queryset.alias(failed_7d_millionths=scaled).filter(
            sessions_7d__gt=0, failed_7d_millionths__gte=F("sessions_7d") * threshold
        )
