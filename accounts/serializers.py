"""API input and output shapes for organizations and domains."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.domain_names import DomainNameError, normalize_domain_name
from accounts.models import Domain, Organization, ScanMtaSts, ScanVerdict
from accounts.selectors import organization_choices, unknown_organization_message


@extend_schema_field({"type": "string", "description": "organization slug"})
class ScopedOrganizationField(serializers.SlugRelatedField):
    """An organization given by slug, chosen only among those the request's token reaches."""

    def __init__(self, **kwargs) -> None:
        super().__init__(slug_field="slug", **kwargs)

    def get_queryset(self):
        return organization_choices(scope=self.context["request"].scope)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            raise serializers.ValidationError(unknown_organization_message(data)) from None


class OrganizationSerializer(serializers.ModelSerializer):
    managed_by = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="The managing MSP's slug; null for an organization nobody manages.",
    )
    domain_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "slug",
            "managed_by",
            "is_client",
            "scan_interval_hours",
            "domain_count",
            "created_at",
        ]
        read_only_fields = fields


class OrganizationCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=60, required=False)
    scan_interval_hours = serializers.IntegerField(min_value=1, max_value=168, default=24)


class OrganizationUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    scan_interval_hours = serializers.IntegerField(min_value=1, max_value=168, required=False)


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class TagListField(serializers.ListField):
    child = serializers.CharField(max_length=50, allow_blank=False)


class DomainSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tags = serializers.SerializerMethodField()
    # Declared: a read-only model field loses allow_blank, and "" must be in the schema's enum.
    scan_verdict = serializers.ChoiceField(
        choices=ScanVerdict.choices,
        allow_blank=True,
        read_only=True,
        help_text="Blank until the first scan.",
    )
    scan_mta_sts = serializers.ChoiceField(
        choices=ScanMtaSts.choices,
        allow_blank=True,
        read_only=True,
        help_text="MTA-STS status, beside the verdict; blank until scanned or without mail.",
    )
    scan_gaps = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Coverage gaps, latest scan."
    )
    name_warnings = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Warnings about the name itself: an IDN label that mixes scripts (a possible "
        "look-alike of another name). Empty for most names.",
    )

    class Meta:
        model = Domain
        fields = [
            "id",
            "name",
            "unicode_name",
            "name_warnings",
            "organization",
            "tags",
            "is_active",
            "added_at",
            "scan_verdict",
            "scan_mta_sts",
            "scan_score",
            "scan_gaps",
            "scanned_at",
            "last_report_at",
        ]
        read_only_fields = fields

    def get_tags(self, domain: Domain) -> list[str]:
        return sorted(tag.name for tag in domain.tags.all())


class DomainCreateSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=300, help_text="Domain name; upper case, a trailing dot and IDNs are accepted."
    )
    tags = TagListField(required=False, default=list)
    is_active = serializers.BooleanField(default=True)
    organization = ScopedOrganizationField(
        required=False, help_text="Slug of a client organization (MSP tokens); default: own."
    )

    def validate_name(self, value: str) -> str:
        try:
            return normalize_domain_name(value).ascii
        except DomainNameError as exc:
            raise serializers.ValidationError(str(exc)) from None


class DomainUpdateSerializer(serializers.Serializer):
    tags = TagListField(required=False)
    is_active = serializers.BooleanField(required=False)


class BulkCreateInputSerializer(serializers.Serializer):
    names = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False), allow_empty=False
    )
    tags = TagListField(required=False, default=list)
    organization = ScopedOrganizationField(required=False)

    def validate_names(self, value: list[str]) -> list[str]:
        limit = settings.TLSMON_BULK_MAX_ROWS
        if len(value) > limit:
            raise serializers.ValidationError(
                f"{len(value)} names given; at most {limit} per request (nothing was created)"
            )
        return value


class BulkRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        help_text="JSON: 1-based position in `names`; CSV: the line of the file."
    )
    input = serializers.CharField()
    status = serializers.ChoiceField(choices=["created", "present", "invalid"])
    name = serializers.CharField(allow_null=True)
    id = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(allow_null=True)


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    present = serializers.IntegerField()
    invalid = serializers.IntegerField()
    results = BulkRowSerializer(many=True)
