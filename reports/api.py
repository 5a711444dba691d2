"""REST API of the reports app: stored reports, quarantine, and each tenant's report addresses.

`tlsmon.api` calls `register` to add the viewsets. All of them are tenant-scoped
(``OrgScopedViewSet``); the only writes are the quarantine reprocess actions, which call
``reports.services.quarantine_reprocess``.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts.models import Organization
from api.viewsets import NoStoreMixin, OrgScopedViewSet
from reports import services
from reports.filters import QuarantineFilter, ReportFilter, ReportingAddressFilter
from reports.intake import original_report_json
from reports.models import QuarantinedPolicy, Report, ReportPolicy, Submission
from reports.serializers import (
    IngestSummarySerializer,
    QuarantinedPolicyDetailSerializer,
    QuarantinedPolicySerializer,
    RawCopyQuerySerializer,
    ReportDetailSerializer,
    ReportingAddressSerializer,
    ReportSerializer,
)
from reports.summary import IngestSummary


@extend_schema_view(
    list=extend_schema(
        summary="Received TLS-RPT reports, newest period first",
        description=(
            "Filter by `domain` (id or name), `reporter` (the sending organization), period "
            "(`start_after`, `end_before`), `has_failures` and `has_conflicts`. Session totals "
            "count each policy domain once (an `sts` and a `tlsa` policy of one report describe "
            "the same sessions) and only the counted copy of each policy: "
            "`conflicting_copies` says how many other copies (same reporter, report-id, policy "
            "domain and type, other content) are kept but not counted; the detail lists them."
        ),
    ),
    retrieve=extend_schema(summary="One report with its policies and failure details"),
)
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    queryset = Report.objects.select_related("organization")
    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    search_fields = ["report_id", "organization_name"]
    ordering_fields = ["start", "end", "received_at", "organization_name"]
    ordering = ["-start"]

    def scope_queryset(self, queryset):
        # Only the counted copy of each policy feeds totals; the others are ``conflicts``.
        policies = ReportPolicy.objects.filter(counted=True).select_related("domain").order_by("id")
        if self.action == "retrieve":
            policies = policies.prefetch_related("failure_details")
            queryset = queryset.select_related("submission")
        queryset = queryset.annotate(
            conflicting_copies=Count("policies", filter=Q(policies__counted=False))
        )
        return queryset.prefetch_related(Prefetch("policies", queryset=policies))

    def get_serializer_class(self):
        return ReportDetailSerializer if self.action == "retrieve" else ReportSerializer

    @extend_schema(
        summary="Download the report's JSON as received (decompressed)",
        description=(
            "The delivery whose copy counts (a forged copy sent first is not it once a stronger "
            "copy arrived). `?copy=<submission id>` downloads another delivery of the report "
            "(a conflicting copy; `copies` in the report page's data lists them)."
        ),
        parameters=[
            OpenApiParameter("copy", OpenApiTypes.INT, description="A delivery's submission id.")
        ],
        responses={
            (200, "application/json"): OpenApiResponse(
                response=OpenApiTypes.OBJECT, description="The RFC 8460 report JSON, verbatim."
            )
        },
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def raw(self, request, pk=None):
        copy = self.validated_input(RawCopyQuerySerializer, request.query_params).get("copy")
        report = self.get_object()
        submission = None
        if copy is not None:
            # Only a delivery that carried a copy of this very report (tenant scoped through it).
            submission = Submission.objects.filter(
                pk__in=ReportPolicy.objects.filter(report=report).values("submission_id"),
                pk=copy,
            ).first()
            if submission is None:
                raise NotFound("no such copy of this report")
        data = original_report_json(report, submission=submission)
        if data is None:
            raise NotFound("the original report is no longer stored")
        response = HttpResponse(data, content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="tlsrpt-report-{report.pk}.json"'
        return response


REPROCESS_DESCRIPTION = (
    "Stores quarantined policies whose domain is now one of the organization's domains "
    "(add the domain first); the rest stay in quarantine. Needs a read-write token."
)
REPROCESS_EXAMPLE = OpenApiExample(
    "one policy stored",
    value={"accepted": 1, "duplicates": 0, "quarantined": 0, "conflicts": 0, "rejected": []},
    response_only=True,
)


def _summary_body(summary: IngestSummary) -> dict:
    return IngestSummarySerializer(summary.as_dict()).data


@extend_schema_view(
    list=extend_schema(summary="Policies delivered to this tenant for domains it does not own"),
    retrieve=extend_schema(summary="One quarantined policy, with the policy as received"),
)
class QuarantineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    queryset = QuarantinedPolicy.objects.select_related("organization")
    serializer_class = QuarantinedPolicySerializer
    filterset_class = QuarantineFilter
    search_fields = ["policy_domain", "organization_name", "report_identifier"]
    ordering_fields = ["created_at", "policy_domain", "organization_name"]
    ordering = ["-created_at"]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return QuarantinedPolicyDetailSerializer
        return QuarantinedPolicySerializer

    @extend_schema(
        summary="Retry one quarantined policy",
        description=REPROCESS_DESCRIPTION,
        request=None,
        responses={200: IngestSummarySerializer},
        examples=[REPROCESS_EXAMPLE],
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def reprocess(self, request, pk=None):
        quarantined = self.get_object()
        summary = services.quarantine_reprocess(
            organization=quarantined.organization, quarantined=[quarantined]
        )
        return Response(_summary_body(summary))

    @extend_schema(
        summary="Retry every open quarantined policy (narrow with ?organization=<slug>)",
        operation_id="quarantine_reprocess_all",
        description=REPROCESS_DESCRIPTION,
        request=None,
        responses={200: IngestSummarySerializer},
        examples=[REPROCESS_EXAMPLE],
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="reprocess",
        url_name="reprocess-all",
        pagination_class=None,
    )
    def reprocess_all(self, request):
        open_rows = self.filter_queryset(self.get_queryset()).filter(resolved_at__isnull=True)
        organizations = {row.organization_id: row.organization for row in open_rows}
        summary = IngestSummary()
        for organization in organizations.values():
            summary.merge(services.quarantine_reprocess(organization=organization))
        return Response(_summary_body(summary))


@extend_schema_view(
    list=extend_schema(
        summary="Where each organization's domains send TLS-RPT reports",
        description=(
            "The `mailto:` and `https:` report destinations of every organization this token "
            "reaches, and the `_smtp._tls` TXT record that publishes both. The addresses carry "
            "the organization's secret report token: share them only in DNS."
        ),
    ),
    retrieve=extend_schema(
        summary="One organization's report destinations and TLS-RPT record",
        examples=[
            OpenApiExample(
                "reporting address",
                value={
                    "id": 1,
                    "organization": "alpha",
                    "name": "Alpha Corp",
                    "mailto": "mailto:4f3c...e9@reports.tlsmon.example",
                    "https": "https://tlsmon.example/tlsrpt/4f3c...e9/",
                    "record": "v=TLSRPTv1; rua=mailto:4f3c...e9@reports.tlsmon.example,"
                    "https://tlsmon.example/tlsrpt/4f3c...e9/",
                },
                response_only=True,
            )
        ],
    ),
)
class ReportingAddressViewSet(
    NoStoreMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet
):
    queryset = Organization.objects.all()
    serializer_class = ReportingAddressSerializer
    filterset_class = ReportingAddressFilter

    def scope_queryset(self, queryset):
        return queryset.order_by("name", "id")


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("reports", ReportViewSet, basename="report")
    router.register("quarantine", QuarantineViewSet, basename="quarantine")
    router.register("reporting-addresses", ReportingAddressViewSet, basename="reporting-address")
