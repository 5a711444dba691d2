"""Filters every list endpoint shares: a strict boolean, an id, the tenant-scoped organization."""

from __future__ import annotations

from datetime import UTC

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts.models import Organization
from accounts.selectors import organization_choices, unknown_organization_message

# Row ids are 64-bit (PostgreSQL bigint, SQLite INTEGER). A larger number in a filter is a 400
# that names the parameter: SQLite raised OverflowError (a 500) when binding it.
MAX_ID = 2**63 - 1


def _reachable_organizations(request):
    if request is None:  # schema generation
        return Organization.objects.none()
    return organization_choices(scope=request.scope)


class _OrganizationSlugField(django_filters.fields.ModelChoiceField):
    """Answers an unknown slug with the same text as the API bodies do."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            raise ValidationError(unknown_organization_message(value), code="invalid") from None


class _OrganizationFilter(django_filters.ModelChoiceFilter):
    field_class = _OrganizationSlugField


def organization_filter(field_name: str = "organization") -> django_filters.ModelChoiceFilter:
    """The ``organization`` filter of every list: a slug, chosen among the organizations the
    request's token reaches (so another tenant's slug is a validation error, not a probe)."""
    return _OrganizationFilter(
        field_name=field_name,
        to_field_name="slug",
        queryset=_reachable_organizations,
        help_text="Slug of the organization (an MSP token reaches its clients too).",
    )


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """``true`` or ``false``; anything else is a 400 naming the parameter (django-filter's
    BooleanFilter would silently ignore a typo and answer every row)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        super().__init__(**kwargs)


@extend_schema_field(OpenApiTypes.INT64)
class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number from 1 to ``MAX_ID``; anything else is a 400 naming the filter."""

    field_class = forms.IntegerField

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


def validate_id_or_name(value: str) -> None:
    """For filters that take an id or a name: digits must be an id in range."""
    value = value.strip()
    if value.isdigit() and not 1 <= int(value) <= MAX_ID:
        raise ValidationError(f"an id is a whole number from 1 to {MAX_ID}")


class _UtcDateTimeField(django_filters.fields.IsoDateTimeField):
    def clean(self, value):
        value = super().clean(value)
        if value is None or value.tzinfo is None:
            return value
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("a time outside the supported range") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 time filter that queries in UTC: Python accepts offsets up to ±23:59, the
    database only up to ±15:59, so ``…-23:58`` would otherwise be a 500, not a result."""

    field_class = _UtcDateTimeField
