"""Output shapes of the coverage list and summary."""

from __future__ import annotations

from rest_framework import serializers

from portfolio.coverage import GAP_KINDS, MTA_STS_STATUSES, VERDICTS, coverage_gaps


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
    mta_sts = serializers.CharField(
        source="scan_mta_sts",
        help_text="Latest MTA-STS status (enforce, testing, none, broken, absent, error), "
        "independent of the verdict; empty until scanned and when the domain takes no mail.",
    )
    score = serializers.IntegerField(
        source="scan_score",
        allow_null=True,
        help_text="0-100; null when unscanned and for the verdicts not_applicable and error.",
    )
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

    def to_representation(self, domain) -> dict:
        """The declared fields, built directly: DRF's field-by-field path cost more than the
        page's SQL (a tested equivalence keeps the two in step)."""
        iso = _iso
        return {
            "id": domain.pk,
            "name": domain.name,
            "unicode_name": domain.unicode_name,
            "organization": domain.organization.slug,
            "tags": self.get_tags(domain),
            "is_active": domain.is_active,
            "verdict": domain.scan_verdict,
            "mta_sts": domain.scan_mta_sts,
            "score": domain.scan_score,
            "gaps": coverage_gaps(domain),
            "scanned_at": iso(domain.scanned_at),
            "last_report_at": iso(domain.last_report_at),
            "report_window_end": iso(domain.report_window_end),
            "sessions_7d": domain.sessions_7d,
            "failed_7d": domain.failed_7d,
            "failure_rate_7d": domain.failure_rate_7d,
            "sessions_30d": domain.sessions_30d,
            "failed_30d": domain.failed_30d,
            "failure_rate_30d": domain.failure_rate_30d,
        }


def _iso(value) -> str | None:
    """Dates and times as DRF writes them (UTC times end in ``Z``)."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


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
    mta_sts = _counts(MTA_STS_STATUSES, "Domains per latest MTA-STS status")
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
