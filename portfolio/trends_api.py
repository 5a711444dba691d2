"""``/api/v1/trends/``: sessions and failure rate per day or week for a domain, a tag, an
organization or the whole portfolio, optionally split into the top groups."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.models import Domain
from api.viewsets import OrgScopedViewSet
from portfolio.csv_export import CsvExportMixin, csv_response
from portfolio.examples import TREND
from portfolio.schema import FORMAT_PARAMETER, csv_body
from portfolio.trends_serializers import TrendQuerySerializer, TrendSerializer
from reports.trends import GroupBy, Interval, trend

TREND_COLUMNS = ("period", "group", "successful", "failed", "sessions", "failure_rate")


def _csv_rows(result):
    for point in result.points:
        yield (point.period, "", point.successful, point.failed, point.sessions, point.failure_rate)
    for group in result.groups:
        for p in group.points:
            yield (p.period, group.label, p.successful, p.failed, p.sessions, p.failure_rate)


class _OneObjectSchema(AutoSchema):
    """The trend is one object per request, though served by the collection route."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class TrendViewSet(CsvExportMixin, OrgScopedViewSet):
    schema = _OneObjectSchema()
    queryset = Domain.objects.all()
    serializer_class = TrendSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        summary="Failure trends: sessions per day or week, optionally split into top groups",
        description=(
            "Successful and failed sessions and the failure rate per period, from the daily "
            "roll-ups (sessions counted once: Microsoft's sts+tlsa twins are not added). "
            "Without `domain`, `tag` or `organization` it covers every domain the token "
            "reaches. With `group_by` the top `top` groups by failed sessions come with their "
            "own series, the rest as `other`."
        ),
        parameters=[TrendQuerySerializer, FORMAT_PARAMETER],
        examples=[TREND],
        responses={
            (200, "application/json"): TrendSerializer,
            (200, "text/csv"): csv_body(TREND_COLUMNS),
        },
    )
    def list(self, request, *args, **kwargs):
        query = self.validated_input(TrendQuerySerializer, request.query_params)
        try:
            result = trend(
                scope=self.scope,
                start=query["start"],
                end=query["end"],
                interval=Interval(query["interval"]),
                group_by=GroupBy(query["group_by"]) if query.get("group_by") else None,
                top=query["top"],
                organization=query.get("organization"),
                domain_id=query.get("domain"),
                tag=query.get("tag"),
            )
        except Domain.DoesNotExist:
            raise serializers.ValidationError({"domain": "no such domain for this token"}) from None
        if self.wants_csv():
            return csv_response("trend.csv", TREND_COLUMNS, _csv_rows(result))
        return Response(TrendSerializer(result).data)
