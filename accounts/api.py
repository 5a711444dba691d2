"""REST endpoints for organizations and domains (thin: validate, call a service, serialize)."""

from __future__ import annotations

from django.db.models import Count
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, parsers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts import services
from accounts.bulk_input import parse_domain_csv
from accounts.filters import DomainFilter, OrganizationFilter
from accounts.models import Domain, Organization
from accounts.serializers import (
    BulkCreateInputSerializer,
    BulkResultSerializer,
    DomainCreateSerializer,
    DomainSerializer,
    DomainUpdateSerializer,
    OrganizationCreateSerializer,
    OrganizationSerializer,
    OrganizationUpdateSerializer,
)
from api.viewsets import OrgScopedViewSet


class CsvTextParser(parsers.BaseParser):
    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None) -> str:
        try:
            return stream.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError({"body": "the CSV body is not UTF-8 text"}) from None


EMPTY_CSV = (
    "the CSV body holds no domain names: send one name per line, in the first column "
    "(with curl: --data-binary @domains.csv, and check that the file exists)"
)


def bulk_payload(request) -> tuple[object, list[int] | None]:
    """The bulk request as one input: a JSON body or the CSV's names with their file lines,
    plus ``?organization=`` and ``?tag=``, honoured for JSON and CSV alike (an organization
    given in the body and the query must agree)."""
    body, rows = request.data, None
    if isinstance(body, str) or (not body and request.content_type.startswith("text/csv")):
        parsed = parse_domain_csv(body or "")
        if not parsed:
            raise ValidationError({"body": EMPTY_CSV})
        rows = [line for line, _ in parsed]
        body = {"names": [name for _, name in parsed]}
    if not isinstance(body, dict):
        return body, rows  # the serializer names the problem
    payload = dict(body)
    if query_org := request.query_params.get("organization"):
        if payload.get("organization") not in (None, query_org):
            raise ValidationError(
                {"organization": "given in the body and in ?organization= with different values"}
            )
        payload["organization"] = query_org
    if (query_tags := request.query_params.getlist("tag")) and isinstance(
        payload.get("tags", []), list
    ):
        payload["tags"] = [*payload.get("tags", []), *query_tags]
    return payload, rows


@extend_schema_view(
    list=extend_schema(summary="Organizations this token reaches (own and, for an MSP, clients)"),
    retrieve=extend_schema(summary="One organization"),
    create=extend_schema(
        summary="Create a client organization (MSP tokens only)",
        request=OrganizationCreateSerializer,
        responses={201: OrganizationSerializer},
    ),
    partial_update=extend_schema(
        summary="Rename an organization or change its scan interval",
        request=OrganizationUpdateSerializer,
        responses={200: OrganizationSerializer},
    ),
)
class OrganizationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, OrgScopedViewSet
):
    queryset = Organization.objects.select_related("managed_by")
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scope_queryset(self, queryset):
        # Aggregating queries drop Meta.ordering: order explicitly for stable pages.
        return queryset.annotate(domain_count=Count("domains")).order_by("name", "id")

    def create(self, request, *args, **kwargs):
        data = self.validated_input(OrganizationCreateSerializer, request.data)
        if self.scope.organization.is_client:
            raise PermissionDenied("a client organization cannot create client organizations")
        org = services.organization_create(managed_by=self.scope.organization, **data)
        return Response(self.output_for(org.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        org = self.get_object()
        data = self.validated_input(OrganizationUpdateSerializer, request.data)
        services.organization_update(organization=org, **data)
        return Response(self.output_for(org.pk))


@extend_schema_view(
    list=extend_schema(summary="Monitored domains, filterable by tag, state and organization"),
    retrieve=extend_schema(summary="One domain"),
    create=extend_schema(
        summary="Add a domain",
        request=DomainCreateSerializer,
        responses={201: DomainSerializer},
        examples=[OpenApiExample("simple", value={"name": "example.com", "tags": ["eu"]})],
    ),
    partial_update=extend_schema(
        summary="Change a domain's tags or pause it",
        request=DomainUpdateSerializer,
        responses={200: DomainSerializer},
    ),
)
class DomainViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    OrgScopedViewSet,
):
    """Domains of the token's organizations. DELETE is added by ``portfolio.api``, which owns
    the delete service (it reaches into the report figures)."""

    queryset = Domain.objects.select_related("organization").prefetch_related("tags")
    serializer_class = DomainSerializer
    filterset_class = DomainFilter
    search_fields = ["name", "unicode_name"]
    ordering_fields = ["name", "added_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request, *args, **kwargs):
        data = self.validated_input(DomainCreateSerializer, request.data)
        organization = data.pop("organization", None) or self.scope.organization
        domain = services.domain_create(organization=organization, **data)
        return Response(self.output_for(domain.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        domain = self.get_object()
        data = self.validated_input(DomainUpdateSerializer, request.data)
        services.domain_update(domain=domain, **data)
        return Response(self.output_for(domain.pk))

    @extend_schema(
        summary="Add up to TLSMON_BULK_MAX_ROWS (default 1,000) domains in one request",
        description=(
            'JSON `{"names": [...], "tags": [...], "organization": "slug"}` or a '
            "`text/csv` body (first column; a `name`/`domain` header row is skipped; a CSV "
            "result's `row` is the file's line number). `?organization=` and `?tag=` apply to "
            "both. Each row gets its own result; valid rows are created even when others are "
            "invalid."
        ),
        parameters=[
            OpenApiParameter(
                "organization", str, description="Slug of the organization to add them to."
            ),
            OpenApiParameter("tag", str, many=True, description="Tags for every new domain."),
        ],
        request={"application/json": BulkCreateInputSerializer, "text/csv": str},
        responses={200: BulkResultSerializer},
        examples=[
            OpenApiExample(
                "mixed rows",
                value={"names": ["example.com", "Example.ORG.", "not a domain"]},
                request_only=True,
            )
        ],
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="bulk",
        parser_classes=[parsers.JSONParser, CsvTextParser],
        filter_backends=[],
        pagination_class=None,
    )
    def bulk(self, request):
        payload, rows = bulk_payload(request)
        data = self.validated_input(BulkCreateInputSerializer, payload)
        result = services.domains_bulk_create(
            organization=data.get("organization") or self.scope.organization,
            names=data["names"],
            tags=data["tags"],
            rows=rows,
        )
        body = {
            "created": result.count("created"),
            "present": result.count("present"),
            "invalid": result.count("invalid"),
            "results": [row.__dict__ for row in result.rows],
        }
        return Response(BulkResultSerializer(body).data)
