"""REST API of scanning: scan history and findings per domain, on-demand scans, record tools."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.viewsets import ViewSet

from accounts.models import Domain
from api.errors import error_body
from api.viewsets import NoStoreMixin, OrgScopedViewSet, validated_input
from scans import on_demand, tools
from scans.filters import ScanFilter
from scans.models import Scan, ScanStatus, ScanTrigger
from scans.serializers import (
    GenerateRecordInputSerializer,
    GenerateRecordOutputSerializer,
    ScanDetailSerializer,
    ScanQueuedSerializer,
    ScanSerializer,
    ValidateRecordInputSerializer,
    ValidateRecordOutputSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="Scan history across the domains this token reaches"),
    retrieve=extend_schema(summary="One scan with its records, findings and changes"),
)
class ScanViewSet(NoStoreMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    queryset = Scan.objects.select_related("domain")
    serializer_class = ScanSerializer
    filterset_class = ScanFilter
    ordering_fields = ["requested_at", "finished_at", "score"]

    def scope_queryset(self, queryset):
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("changes")
        return queryset.order_by("-requested_at", "-id")

    def get_serializer_class(self):
        return ScanDetailSerializer if self.action == "retrieve" else ScanSerializer


class DomainScanViewSet(NoStoreMixin, OrgScopedViewSet):
    """Scan actions nested under a domain: /domains/{id}/scan/, /scans/, /latest-scan/."""

    queryset = Domain.objects.select_related("organization")
    serializer_class = ScanSerializer
    filterset_class = None

    @extend_schema(
        summary="Scan this domain now",
        request=None,
        responses={202: ScanQueuedSerializer, 503: OpenApiTypes.OBJECT},
        description="Queues a scan and answers at once; poll the returned URL until `status` "
        "is `done` (or `failed`). A scan still queued, or one that finished within "
        "TLSMON_SCAN_COOLDOWN_SECONDS (60), is returned instead of a new one. When the task "
        "queue cannot be reached the answer is 503 `scan_not_queued` with `Retry-After`; "
        "nothing blocks asking again.",
    )
    @action(detail=True, methods=["post"])
    def scan(self, request, pk=None):
        domain = self.get_object()
        try:
            scan = on_demand.scan_request(domain=domain, trigger=ScanTrigger.API)
        except on_demand.ScanNotQueued as exc:
            wait = exc.retry_after
            body = error_body(503, "scan_not_queued", str(exc), scan=exc.scan.pk, retry_after=wait)
            return Response(body, status=503, headers={"Retry-After": str(wait)})
        url = request.build_absolute_uri(reverse("scan-detail", args=[scan.pk]))
        return Response(
            {"id": scan.pk, "status": scan.status, "url": url},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": url},
        )

    @extend_schema(
        summary="This domain's scan history, newest first",
        responses={200: ScanSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], filter_backends=[])  # paginated, never filtered
    def scans(self, request, pk=None):
        domain = self.get_object()
        queryset = Scan.objects.filter(domain=domain).select_related("domain")
        page = self.paginate_queryset(queryset.order_by("-requested_at", "-id"))
        return self.get_paginated_response(ScanSerializer(page, many=True).data)

    @extend_schema(
        summary="This domain's latest finished scan (verdict, findings, records)",
        responses={200: ScanDetailSerializer},
    )
    @action(detail=True, methods=["get"], url_path="latest-scan")
    def latest_scan(self, request, pk=None):
        domain = self.get_object()
        scan = (
            Scan.objects.filter(domain=domain, status=ScanStatus.DONE)
            .select_related("domain")
            .prefetch_related("changes")
            .order_by("-finished_at", "-id")
            .first()
        )
        if scan is None:
            raise NotFound("this domain has not been scanned yet; POST .../scan/ to scan it now")
        return Response(ScanDetailSerializer(scan).data)


class RecordToolsViewSet(ViewSet):
    """Checks and builds a ``_smtp._tls`` record before it is published.

    No tenant data is read or written (pure functions over the request body), so this
    viewset is outside tenant scoping on purpose; it still needs a valid API token, and a
    read-only token may use it (its POSTs change nothing).
    """

    changes_nothing = True

    @extend_schema(
        summary="Validate a TLS-RPT record before publishing it",
        request=ValidateRecordInputSerializer,
        responses={200: ValidateRecordOutputSerializer},
        examples=[
            OpenApiExample(
                "A record with a space around '='",
                value={"domain": "example.com", "record": "v=TLSRPTv1; rua = mailto:t@example.com"},
                request_only=True,
            )
        ],
    )
    @action(detail=False, methods=["post"], url_path="validate-record")
    def validate_record(self, request):
        data = validated_input(ValidateRecordInputSerializer, request.data)
        try:
            result = tools.validate_record(domain=data["domain"], record=data["record"])
        except ValueError as exc:
            raise ValidationError({"domain": [str(exc)]}) from None
        return Response(result)

    @extend_schema(
        summary="Build a valid TLS-RPT record from report destinations",
        request=GenerateRecordInputSerializer,
        responses={200: GenerateRecordOutputSerializer},
        examples=[
            OpenApiExample(
                "Mailbox and HTTPS endpoint",
                value={
                    "domain": "example.com",
                    "destinations": ["tlsrpt@example.com", "https://reports.example.net/tlsrpt"],
                },
                request_only=True,
            )
        ],
    )
    @action(detail=False, methods=["post"], url_path="generate-record")
    def generate_record(self, request):
        data = validated_input(GenerateRecordInputSerializer, request.data)
        try:
            result = tools.generate_record(
                destinations=data["destinations"], domain=data.get("domain", "")
            )
        except ValueError as exc:
            raise ValidationError({"destinations": [str(exc)]}) from None
        return Response(result)


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("scans", ScanViewSet, basename="scan")
    router.register("domains", DomainScanViewSet, basename="domain-scan")
    router.register("tools", RecordToolsViewSet, basename="tool")
