"""API output shapes for reports, quarantine and reporting addresses (all read-only)."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organization
from api.filters import MAX_ID
from reports.models import FailureDetail, QuarantinedPolicy, Report, ReportPolicy
from reports.provenance import Provenance
from reports.selectors import report_conflicts, session_totals


class FailureDetailSerializer(serializers.ModelSerializer):
    class Meta:
        model = FailureDetail
        fields = [
            "result_type",
            "failed_session_count",
            "sending_mta_ip",
            "receiving_mx_hostname",
            "receiving_mx_helo",
            "receiving_ip",
            "failure_reason_code",
            "additional_information",
        ]
        read_only_fields = fields


class ReportPolicySerializer(serializers.ModelSerializer):
    domain = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    domain_id = serializers.IntegerField(read_only=True, allow_null=True)
    failure_details = FailureDetailSerializer(many=True, read_only=True)

    class Meta:
        model = ReportPolicy
        fields = [
            "id",
            "domain",
            "domain_id",
            "policy_type",
            "policy_domain",
            "routed_by",
            "policy_strings",
            "mx_hosts",
            "successful",
            "failed",
            "failure_details",
        ]
        read_only_fields = fields


class ReportSerializer(serializers.ModelSerializer):
    """One row of the report list: the report's header and its session totals."""

    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    reporter = serializers.CharField(source="organization_name", read_only=True)
    domains = serializers.SerializerMethodField(help_text="The tenant's domains it reports on.")
    successful_sessions = serializers.SerializerMethodField()
    failed_sessions = serializers.SerializerMethodField()
    has_failures = serializers.SerializerMethodField()
    conflicting_copies = serializers.IntegerField(
        read_only=True,
        default=0,
        help_text="Other copies of this report's policies (other content), kept but not counted.",
    )

    class Meta:
        model = Report
        fields = [
            "id",
            "organization",
            "reporter",
            "report_id",
            "contact_info",
            "start",
            "end",
            "received_at",
            "domains",
            "successful_sessions",
            "failed_sessions",
            "has_failures",
            "conflicting_copies",
        ]
        read_only_fields = fields

    # The methods read the prefetched ``policies``: no query per row.
    def get_domains(self, report: Report) -> list[str]:
        return sorted({p.domain.name for p in report.policies.all() if p.domain is not None})

    def get_successful_sessions(self, report: Report) -> int:
        return session_totals(report.policies.all())[0]

    def get_failed_sessions(self, report: Report) -> int:
        return session_totals(report.policies.all())[1]

    def get_has_failures(self, report: Report) -> bool:
        return any(p.failed for p in report.policies.all())


class PolicyCopySerializer(serializers.Serializer):
    policy_id = serializers.IntegerField()
    counted = serializers.BooleanField()
    provenance = serializers.ChoiceField(choices=["dkim", "https", "unsigned"])
    provenance_label = serializers.CharField()
    received_at = serializers.DateTimeField(allow_null=True)
    submission_id = serializers.IntegerField(allow_null=True)
    channel = serializers.CharField(allow_null=True)
    successful = serializers.IntegerField()
    failed = serializers.IntegerField()


class PolicyConflictSerializer(serializers.Serializer):
    policy_domain = serializers.CharField()
    policy_type = serializers.CharField()
    copies = PolicyCopySerializer(many=True)


class ReportDetailSerializer(ReportSerializer):
    """A report with its counted policies and their failure details, nested, and every policy
    whose key was delivered with other content (``conflicts``, ``reports.provenance``)."""

    policies = ReportPolicySerializer(many=True, read_only=True)
    channel = serializers.CharField(source="submission.channel", read_only=True, default=None)
    conflicts = serializers.SerializerMethodField()

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "repairs", "channel", "policies", "conflicts"]
        read_only_fields = fields

    @extend_schema_field(PolicyConflictSerializer(many=True))
    def get_conflicts(self, report: Report) -> list[dict]:
        if not getattr(report, "conflicting_copies", 1):
            return []  # the list annotation says there are none: no query
        conflicts = report_conflicts(scope=self.context["request"].scope, report=report)
        return PolicyConflictSerializer([asdict(c) for c in conflicts], many=True).data


class QuarantinedPolicySerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    reporter = serializers.CharField(source="organization_name", read_only=True)
    report_id = serializers.CharField(source="report_identifier", read_only=True)
    is_open = serializers.SerializerMethodField()
    provenance = serializers.SerializerMethodField(
        help_text="How this copy came: dkim, https or unsigned (the strongest copy of a key "
        "counts once its domain is added; other content for the same key is another row)."
    )

    class Meta:
        model = QuarantinedPolicy
        fields = [
            "id",
            "organization",
            "reporter",
            "report_id",
            "report",
            "policy_type",
            "policy_domain",
            "hints",
            "reason",
            "created_at",
            "resolved_at",
            "is_open",
            "provenance",
            "received_at",
        ]
        read_only_fields = fields

    def get_is_open(self, quarantined: QuarantinedPolicy) -> bool:
        return quarantined.resolved_at is None

    @extend_schema_field(serializers.ChoiceField(choices=["dkim", "https", "unsigned"]))
    def get_provenance(self, quarantined: QuarantinedPolicy) -> str:
        return Provenance(quarantined.provenance).name.lower()


class QuarantinedPolicyDetailSerializer(QuarantinedPolicySerializer):
    class Meta(QuarantinedPolicySerializer.Meta):
        fields = [*QuarantinedPolicySerializer.Meta.fields, "policy", "report_header"]
        read_only_fields = fields


class RejectionSerializer(serializers.Serializer):
    source = serializers.CharField()
    error = serializers.CharField()


class IngestSummarySerializer(serializers.Serializer):
    """What a reprocess did, counted per report (per delivery when a report has several)."""

    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    quarantined = serializers.IntegerField()
    conflicts = serializers.IntegerField(
        help_text="Reports that brought other content for a report already stored (both kept)."
    )
    rejected = RejectionSerializer(many=True)


class ReportingAddressSerializer(serializers.ModelSerializer):
    """Where an organization's domains send reports, and the record that says so.

    The token in these addresses is the tenant's secret: shown to the tenant (publishing it is
    the point), never to anyone else, which the scoped queryset guarantees.
    """

    organization = serializers.CharField(source="slug", read_only=True)
    mailto = serializers.SerializerMethodField()
    https = serializers.SerializerMethodField()
    record = serializers.SerializerMethodField(
        help_text="TXT value to publish at _smtp._tls.<domain> for each of its domains."
    )

    class Meta:
        model = Organization
        fields = ["id", "organization", "name", "mailto", "https", "record"]
        read_only_fields = fields

    def get_mailto(self, organization: Organization) -> str:
        return organization.report_mailto

    def get_https(self, organization: Organization) -> str:
        return organization.report_https_url

    def get_record(self, organization: Organization) -> str:
        return f"v=TLSRPTv1; rua={','.join(organization.report_destinations)}"


class RawCopyQuerySerializer(serializers.Serializer):
    """``?copy=`` of the raw download: a delivery's submission id (a bad number is a 400)."""

    copy = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
