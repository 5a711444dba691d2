"""``/api/v1/coverage/``: one row per domain with its verdict, gaps and recent failure figures,
and ``/api/v1/coverage/summary/``: the same domains counted per organization."""

from __future__ import annotations

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Domain
from api.pagination import KeysFirstPagination
from api.viewsets import OrgScopedViewSet
from portfolio.coverage import (
    GAP_KINDS,
    MTA_STS_STATUSES,
    VERDICTS,
    coverage_annotate,
    coverage_gaps,
    coverage_summary,
    coverage_totals,
)
from portfolio.coverage_filters import CoverageFilter
from portfolio.coverage_serializers import CoverageRowSerializer, CoverageSummarySerializer
from portfolio.csv_export import CsvExportMixin, csv_response
from portfolio.etag import conditional_json
from portfolio.examples import COVERAGE_ROW
from portfolio.schema import FORMAT_PARAMETER, IF_NONE_MATCH, NOT_MODIFIED, csv_body

# The 7- and 30-day report figures on each domain (written by reports.windows).
WINDOW_FIELDS = (
    "sessions_7d",
    "failed_7d",
    "failure_rate_7d",
    "sessions_30d",
    "failed_30d",
    "failure_rate_30d",
)
COVERAGE_COLUMNS = (
    "name",
    "unicode_name",
    "organization",
    "tags",
    "is_active",
    "verdict",
    "mta_sts",
    "score",
    "gaps",
    "scanned_at",
    "last_report_at",
    "report_window_end",
    *WINDOW_FIELDS,
)
SUMMARY_COLUMNS = (
    "organization",
    "name",
    "domains",
    "with_failures_7d",
    *(f"verdict_{v}" for v in VERDICTS),
    *(f"mta_sts_{s}" for s in MTA_STS_STATUSES),
    *(f"gap_{g}" for g in GAP_KINDS),
)


def coverage_csv_row(domain: Domain) -> tuple:
    return (
        domain.name,
        domain.unicode_name,
        domain.organization.slug,
        sorted(tag.name for tag in domain.tags.all()),
        domain.is_active,
        domain.scan_verdict,
        domain.scan_mta_sts,
        domain.scan_score,
        coverage_gaps(domain),
        domain.scanned_at,
        domain.last_report_at,
        domain.report_window_end,
        domain.sessions_7d,
        domain.failed_7d,
        domain.failure_rate_7d,
        domain.sessions_30d,
        domain.failed_30d,
        domain.failure_rate_30d,
    )


class CoverageViewSet(CsvExportMixin, mixins.ListModelMixin, OrgScopedViewSet):
    queryset = Domain.objects.all()
    serializer_class = CoverageRowSerializer
    pagination_class = KeysFirstPagination
    filterset_class = CoverageFilter
    search_fields = ["name", "unicode_name"]
    ordering_fields = [
        "name",
        "organization__name",
        "verdict",
        "score",
        "scanned_at",
        "last_report_at",
        *WINDOW_FIELDS,
    ]

    def scope_queryset(self, queryset):
        return coverage_annotate(queryset, now=timezone.now()).annotate(
            verdict=F("scan_verdict"), score=F("scan_score")
        )

    @extend_schema(
        summary="Coverage: one row per domain (verdict, gaps, recent failures)",
        description=(
            "Every domain the token reaches, with its latest scan verdict (TLS-RPT: will "
            "senders report?), MTA-STS status and score, its "
            f"coverage gaps ({', '.join(GAP_KINDS)}), last scan and last report times, and "
            "sessions, failed sessions and failure rate over the last 7 and 30 complete UTC "
            "days. `reports_silent`: the last scan found a record but no report arrived for "
            "`TLSMON_REPORTS_SILENT_DAYS` days. Answers carry an `ETag`; send it back in "
            "`If-None-Match` to get 304 while nothing changed."
        ),
        parameters=[FORMAT_PARAMETER, IF_NONE_MATCH],
        examples=[COVERAGE_ROW],
        responses={
            (200, "application/json"): CoverageRowSerializer(many=True),
            (200, "text/csv"): csv_body(COVERAGE_COLUMNS),
            304: NOT_MODIFIED,
        },
    )
    def list(self, request, *args, **kwargs):
        if self.wants_csv():
            rows = self.filter_queryset(self.get_queryset()).iterator(chunk_size=2000)
            return csv_response("coverage.csv", COVERAGE_COLUMNS, map(coverage_csv_row, rows))
        return super().list(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return conditional_json(request, response) if self.action == "list" else response

    @extend_schema(
        summary="Coverage summary: domains per verdict and gap, per organization",
        description=(
            "Counts for every organization the token reaches (an MSP sees each client) and "
            "the totals; the coverage list's filters apply."
        ),
        parameters=[FORMAT_PARAMETER],
        responses={
            (200, "application/json"): CoverageSummarySerializer,
            (200, "text/csv"): csv_body(SUMMARY_COLUMNS),
        },
        examples=[
            OpenApiExample(
                "an MSP with one client",
                response_only=True,
                value={
                    "generated_at": "2026-11-23T08:00:00Z",
                    "silent_after_days": 3,
                    "totals": {
                        "domains": 2,
                        "with_failures_7d": 1,
                        "verdicts": {v: int(v in ("pass", "fail")) for v in VERDICTS},
                        "mta_sts": {s: int(s in ("enforce", "absent")) for s in MTA_STS_STATUSES},
                        "gaps": {g: int(g == "no_record") for g in GAP_KINDS},
                    },
                    "organizations": [],
                },
            )
        ],
    )
    @action(detail=False, methods=["get"], url_path="summary", pagination_class=None)
    def summary(self, request):
        now = timezone.now()
        domains = self.filter_queryset(self.get_queryset())
        organizations = coverage_summary(domains=domains, now=now)
        if self.wants_csv():
            return csv_response(
                "coverage-summary.csv", SUMMARY_COLUMNS, map(_summary_row, organizations)
            )
        body = {
            "generated_at": now,
            "silent_after_days": settings.TLSMON_REPORTS_SILENT_DAYS,
            "totals": coverage_totals(organizations),
            "organizations": organizations,
        }
        return Response(CoverageSummarySerializer(body).data)


def _summary_row(row: dict) -> tuple:
    return (
        row["organization"],
        row["name"],
        row["domains"],
        row["with_failures_7d"],
        *(row["verdicts"][v] for v in VERDICTS),
        *(row["mta_sts"][s] for s in MTA_STS_STATUSES),
        *(row["gaps"][g] for g in GAP_KINDS),
    )
