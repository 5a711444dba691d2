"""Output shapes of the coverage list and summary."""

from __future__ import annotations

from rest_framework import serializers

from tlsmon.portfolio.coverage import GAP_KINDS, VERDICTS, coverage_gaps


class CoverageRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="A-label form.")
    unicode_name = serializers.CharField()
    organization = serializers.CharField(source="organization.slug")
    tags = serializers.SerializerMethodField()
    is_active = serializers.BooleanField()
    verdict = serializers.CharField(
        source="scan_verdict", help_text="Latest scan verdict; empty until the first scan."
    )
    score = serializers.IntegerField(source="scan_score", allow_null=True)
    gaps = serializers.SerializerMethodField()
    scanned_at = serializers.DateTimeField(allow_null=True)
    last_report_at = serializers.DateTimeField(allow_null=True)
    report_window_end = serializers.DateField(
        allow_null=True, help_text="Last UTC day in the 7/30-day figures (yesterday when fresh)."
    )
    sessions_7d = serializers.IntegerField()
    failed_7d = serializers.IntegerField()
    failure_rate_7d = serializers.FloatField(allow_null=True, help_text="null: no sessions.")
    sessions_30d = serializers.IntegerField()
    failed_30d = serializers.IntegerField()
    failure_rate_30d = serializers.FloatField(allow_null=True)

    def get_tags(self, domain) -> list[str]:
        return sorted(tag.name for tag in domain.tags.all())

    def get_gaps(self, domain) -> list[str]:
        return coverage_gaps(domain)


def _counts(keys, help_text: str) -> serializers.DictField:
    return serializers.DictField(
        child=serializers.IntegerField(), help_text=f"{help_text}: {', '.join(keys)}."
    )


class CoverageCountsSerializer(serializers.Serializer):
    domains = serializers.IntegerField()
    with_failures_7d = serializers.IntegerField(
        help_text="Domains with failed sessions in the last 7 complete UTC days."
    )
    verdicts = _counts(VERDICTS, "Domains per latest verdict")
    gaps = _counts(GAP_KINDS, "Domains per coverage gap (a domain may have several)")


class CoverageOrganizationSerializer(CoverageCountsSerializer):
    organization = serializers.CharField(help_text="Organization slug.")
    name = serializers.CharField()


class CoverageSummarySerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    silent_after_days = serializers.IntegerField(
        help_text="`reports_silent`: a record is published but no report for this many days."
    )
    totals = CoverageCountsSerializer()
    organizations = CoverageOrganizationSerializer(many=True)
