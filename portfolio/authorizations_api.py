"""``/api/v1/authorizations/``: for every domain and external rua destination, whether the
destination publishes ``<domain>._report._tls.<host>``, and ``/summary/``: what is missing."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from api.filters import IdFilter, StrictBooleanFilter, organization_filter
from api.pagination import KeysFirstPagination
from api.viewsets import OrgScopedViewSet
from portfolio.csv_export import CsvExportMixin, csv_response
from portfolio.examples import AUTHORIZATION_ROW, AUTHORIZATION_SUMMARY
from portfolio.schema import FORMAT_PARAMETER, csv_body
from scans.models import ExternalAuthorization, ExternalAuthorizationStatus
from scans.selectors import authorization_hosts

CONVENTION = (
    "The `<domain>._report._tls.<rua-host>` TXT record is a vendor convention modelled on "
    "DMARC's external destination verification (RFC 7489 section 7.1, now RFC 9990); RFC 8460 "
    "defines no such record and senders deliver reports to external destinations without any "
    "check. A `missing` row matters only to report processors that ask for the record."
)
COLUMNS = (
    "domain",
    "organization",
    "uri",
    "rua_host",
    "is_tlsmon",
    "status",
    "record_name",
    "checked_at",
    "action",
)


def next_step(row: ExternalAuthorization) -> str:
    """What the operator should do about one row, in one sentence."""
    record = f'{row.record_name}. IN TXT "v=TLSRPTv1"'
    if row.status == ExternalAuthorizationStatus.MISSING and row.is_tlsmon:
        return f"TLSMon's operator publishes {record} (manage.py authorization_records)."
    if row.status == ExternalAuthorizationStatus.MISSING:
        return f"Ask the operator of {row.rua_host} to publish {record}."
    if row.status == ExternalAuthorizationStatus.LOOKUP_ERROR:
        return "The lookup failed (DNS error); the next scan checks again."
    return ""


class AuthorizationFilter(django_filters.FilterSet):
    organization = organization_filter("domain__organization")
    domain = IdFilter(field_name="domain_id", help_text="Domain id.")
    tag = django_filters.CharFilter(field_name="domain__tags__name", help_text="Domain tag.")
    status = django_filters.MultipleChoiceFilter(choices=ExternalAuthorizationStatus.choices)
    rua_host = django_filters.CharFilter(help_text="Destination host (exact).")
    is_tlsmon = StrictBooleanFilter(help_text="Destination is this TLSMon.")

    class Meta:
        model = ExternalAuthorization
        fields = ["organization", "domain", "tag", "status", "rua_host", "is_tlsmon"]


class AuthorizationSerializer(serializers.ModelSerializer):
    domain_id = serializers.IntegerField(source="domain.id")
    domain = serializers.CharField(source="domain.name")
    organization = serializers.CharField(source="domain.organization.slug")
    action = serializers.SerializerMethodField(help_text="What to do; empty when nothing.")

    class Meta:
        model = ExternalAuthorization
        fields = ["id", "domain_id", *COLUMNS]
        read_only_fields = fields

    def get_action(self, row: ExternalAuthorization) -> str:
        return next_step(row)


class AuthorizationHostSerializer(serializers.Serializer):
    rua_host = serializers.CharField()
    is_tlsmon = serializers.BooleanField()
    domains = serializers.IntegerField(help_text="Domains sending reports to this host.")
    statuses = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=f"Rows per status: {', '.join(ExternalAuthorizationStatus.values)}.",
    )


class AuthorizationSummarySerializer(serializers.Serializer):
    note = serializers.CharField()
    to_publish = serializers.IntegerField(help_text="Authorization records still missing.")
    to_publish_by_tlsmon = serializers.IntegerField(
        help_text="Of those, records for this TLSMon's own report host."
    )
    hosts = AuthorizationHostSerializer(many=True)


def _csv_row(row: ExternalAuthorization) -> tuple:
    return (
        row.domain.name,
        row.domain.organization.slug,
        row.uri,
        row.rua_host,
        row.is_tlsmon,
        row.status,
        row.record_name,
        row.checked_at,
        next_step(row),
    )


class AuthorizationViewSet(CsvExportMixin, mixins.ListModelMixin, OrgScopedViewSet):
    queryset = ExternalAuthorization.objects.select_related("domain__organization")
    serializer_class = AuthorizationSerializer
    pagination_class = KeysFirstPagination
    filterset_class = AuthorizationFilter
    search_fields = ["domain__name", "rua_host", "uri"]
    ordering_fields = ["domain__name", "rua_host", "status", "checked_at"]

    def scope_queryset(self, queryset):
        return queryset.order_by("domain__name", "rua_host", "uri", "id")

    @extend_schema(
        summary="External report destinations: authorized or not, per domain and rua host",
        description=(
            "One row per domain and external `rua` destination seen by the domain's last "
            f"readable scan, with the status and what to do next. {CONVENTION}"
        ),
        parameters=[FORMAT_PARAMETER],
        responses={
            (200, "application/json"): AuthorizationSerializer(many=True),
            (200, "text/csv"): csv_body(COLUMNS),
        },
        examples=[AUTHORIZATION_ROW],
    )
    def list(self, request, *args, **kwargs):
        if self.wants_csv():
            rows = self.filter_queryset(self.get_queryset()).iterator(chunk_size=2000)
            return csv_response("authorizations.csv", COLUMNS, map(_csv_row, rows))
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="What is still to publish: authorization status per destination host",
        description=(
            "Per external rua host, how many domains report there and how many are authorized "
            "(destinations inside the domain itself need nothing and are left out). The "
            "records themselves: `GET /api/v1/authorizations/?status=missing&format=csv`. "
            + CONVENTION
        ),
        parameters=[FORMAT_PARAMETER],
        responses={
            (200, "application/json"): AuthorizationSummarySerializer,
            (200, "text/csv"): csv_body(("rua_host", "is_tlsmon", "domains", "statuses")),
        },
        examples=[AUTHORIZATION_SUMMARY],
    )
    @action(detail=False, methods=["get"], url_path="summary", pagination_class=None)
    def summary(self, request):
        hosts = authorization_hosts(
            scope=self.scope, narrowed=self.filter_queryset(self.get_queryset())
        )
        if self.wants_csv():
            header = ("rua_host", "is_tlsmon", "domains", *ExternalAuthorizationStatus.values)
            rows = (
                (h["rua_host"], h["is_tlsmon"], h["domains"], *h["statuses"].values())
                for h in hosts
            )
            return csv_response("authorizations-summary.csv", header, rows)
        body = {
            "note": CONVENTION,
            "to_publish": sum(h["missing_records"] for h in hosts),
            "to_publish_by_tlsmon": sum(h["missing_records"] for h in hosts if h["is_tlsmon"]),
            "hosts": hosts,
        }
        return Response(AuthorizationSummarySerializer(body).data)
