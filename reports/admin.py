"""Operator views of report intake (deliberately cross-tenant, read-mostly).

Raw payloads are never rendered inline (they can be megabytes); each submission has a
download link, for staff with the view permission. Actions re-run the services (re-process
failed submissions, re-route quarantined policies after a domain was added) and need the
change permission.
"""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from reports import services
from reports.models import (
    FailureDetail,
    IntakeDailyUsage,
    QuarantinedPolicy,
    Report,
    ReportPolicy,
    Submission,
)
from reports.summary import IngestSummary


def readable_json(name: str, label: str):
    """A read-only admin field showing a JSON column as text: a list of strings one per line,
    anything else indented, instead of Django's one-line JSON blob."""

    @admin.display(description=label)
    def show(obj) -> str:
        value = getattr(obj, name)
        if value in (None, "", [], {}):
            return "—"
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            text = "\n".join(value)
        else:
            text = json.dumps(value, indent=2, ensure_ascii=False)
        return format_html('<pre style="white-space: pre-wrap; margin: 0">{}</pre>', text)

    return show


class ReadableJsonAdmin(admin.ModelAdmin):
    """Every JSON column of the model is shown through ``readable_json``, in its place (as
    ``<name>_text``: the form machinery wants field names, not callables)."""

    def __init__(self, model, admin_site) -> None:
        super().__init__(model, admin_site)
        for name, label in self._json_fields().items():
            setattr(self, f"{name}_text", readable_json(name, str(label).capitalize()))

    def _json_fields(self) -> dict[str, str]:
        fields = self.model._meta.fields
        return {f.name: f.verbose_name for f in fields if isinstance(f, models.JSONField)}

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        json_fields = self._json_fields()
        return [
            f"{name}_text" if name in json_fields else name
            for name in super().get_readonly_fields(request, obj)
        ]

    def get_exclude(self, request: HttpRequest, obj=None):
        return [*(super().get_exclude(request, obj) or []), *self._json_fields()]


def _summarize(modeladmin: admin.ModelAdmin, request: HttpRequest, summary: IngestSummary) -> None:
    level = messages.WARNING if summary.rejected else messages.SUCCESS
    modeladmin.message_user(request, f"Re-processed: {summary}.", level=level)


@admin.register(Submission)
class SubmissionAdmin(ReadableJsonAdmin):
    list_display = ["id", "organization", "channel", "status", "source", "size", "received_at"]
    list_filter = ["status", "channel", ("organization", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["source", "sha256", "error", "organization__name", "organization__slug"]
    list_select_related = ["organization"]
    date_hierarchy = "received_at"
    exclude = ["payload"]
    readonly_fields = [
        "organization",
        "channel",
        "source",
        "content_type",
        "metadata",
        "sha256",
        "size",
        "download",
        "received_at",
        "status",
        "error",
        "processed_at",
        "attempts",
    ]
    actions = ["reprocess"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_urls(self):
        download = self.admin_site.admin_view(self.download_view)
        return [
            path("<int:pk>/download/", download, name="reports_submission_download"),
            *super().get_urls(),
        ]

    @admin.display(description="Raw payload")
    def download(self, submission: Submission) -> str:
        url = reverse("admin:reports_submission_download", args=[submission.pk])
        return format_html('<a href="{}">Download ({} bytes)</a>', url, submission.size)

    def download_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The raw bytes, for staff allowed to view submissions (admin_view only checks
        is_staff; raw reports name the tenant's mail hosts and partners); 404 once purged."""
        submission = get_object_or_404(Submission, pk=pk, purged_at__isnull=True)
        if not self.has_view_permission(request, submission):
            raise PermissionDenied("downloading needs the reports.view_submission permission")
        extension = "eml" if submission.channel == "email" else "bin"
        response = HttpResponse(submission.raw_payload(), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="submission-{pk}.{extension}"'
        return response

    @admin.action(
        description="Re-process selected submissions (e.g. failed or pending ones)",
        permissions=["change"],
    )
    def reprocess(self, request: HttpRequest, queryset) -> None:
        summary = IngestSummary()
        for submission in queryset.select_related("organization"):
            summary.merge(services.submission_process(submission=submission))
        _summarize(self, request, summary)


class ReportPolicyInline(admin.TabularInline):
    model = ReportPolicy
    extra = 0
    can_delete = False
    show_change_link = True
    fields = [
        "policy_type",
        "policy_domain",
        "domain",
        "routed_by",
        "successful",
        "failed",
        "counted",
        "provenance",
        "received_at",
        "submission",
    ]
    readonly_fields = fields


class ConflictFilter(admin.SimpleListFilter):
    title = "conflicting copies"
    parameter_name = "conflicts"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(conflicting_copies__gt=0)
        if self.value() == "no":
            return queryset.filter(conflicting_copies=0)
        return queryset


@admin.register(Report)
class ReportAdmin(ReadableJsonAdmin):
    """Reports; ``conflicts`` counts the kept-but-not-counted copies (``reports.provenance``):
    the inline shows every copy with its provenance and which one counts."""

    list_display = [
        "report_id",
        "organization_name",
        "organization",
        "start",
        "end",
        "received_at",
        "conflicts",
    ]
    list_filter = [
        ("organization", admin.RelatedOnlyFieldListFilter),
        "organization_name",
        ConflictFilter,
    ]
    search_fields = ["report_id", "organization_name", "contact_info", "organization__slug"]
    list_select_related = ["organization"]
    date_hierarchy = "start"
    readonly_fields = [f.name for f in Report._meta.fields]
    inlines = [ReportPolicyInline]

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .annotate(conflicting_copies=Count("policies", filter=Q(policies__counted=False)))
        )

    @admin.display(description="Conflicts", ordering="conflicting_copies")
    def conflicts(self, report: Report) -> int:
        return report.conflicting_copies

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class FailureDetailInline(admin.TabularInline):
    model = FailureDetail
    extra = 0
    can_delete = False
    fields = [
        "result_type",
        "failed_session_count",
        "sending_mta_ip",
        "receiving_mx_hostname",
        "receiving_ip",
        "failure_reason_code",
    ]
    readonly_fields = fields


@admin.register(ReportPolicy)
class ReportPolicyAdmin(ReadableJsonAdmin):
    list_display = [
        "policy_domain",
        "policy_type",
        "domain",
        "reporter",
        "day",
        "successful",
        "failed",
        "counted",
        "provenance",
        "organization",
    ]
    list_filter = [
        "counted",
        "provenance",
        "policy_type",
        "routed_by",
        "report__organization_name",
        ("organization", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["policy_domain", "domain__name", "report__report_id"]
    list_select_related = ["organization", "domain", "report"]
    date_hierarchy = "day"
    readonly_fields = [f.name for f in ReportPolicy._meta.fields]
    inlines = [FailureDetailInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Reporter", ordering="report__organization_name")
    def reporter(self, policy: ReportPolicy) -> str:
        return policy.report.organization_name


class OpenFilter(admin.SimpleListFilter):
    title = "resolved"
    parameter_name = "resolved"

    def lookups(self, request, model_admin):
        return [("no", "Open"), ("yes", "Resolved")]

    def queryset(self, request, queryset):
        if self.value() in {"yes", "no"}:
            return queryset.filter(resolved_at__isnull=self.value() == "no")
        return queryset


@admin.register(QuarantinedPolicy)
class QuarantinedPolicyAdmin(ReadableJsonAdmin):
    list_display = [
        "policy_domain",
        "policy_type",
        "organization_name",
        "report_identifier",
        "organization",
        "reason",
        "provenance",
        "created_at",
        "resolved_at",
    ]
    list_filter = [
        OpenFilter,
        "policy_type",
        "organization_name",
        ("organization", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["policy_domain", "report_identifier", "organization_name", "reason"]
    list_select_related = ["organization"]
    readonly_fields = [f.name for f in QuarantinedPolicy._meta.fields]
    actions = ["reprocess"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(
        description="Re-route selected policies (after adding the domain)", permissions=["change"]
    )
    def reprocess(self, request: HttpRequest, queryset) -> None:
        summary = IngestSummary()
        rows = queryset.filter(resolved_at__isnull=True).select_related("organization")
        by_org: dict[int, list[QuarantinedPolicy]] = {}
        for row in rows:
            by_org.setdefault(row.organization_id, []).append(row)
        for group in by_org.values():
            summary.merge(
                services.quarantine_reprocess(organization=group[0].organization, quarantined=group)
            )
        _summarize(self, request, summary)


@admin.register(IntakeDailyUsage)
class IntakeDailyUsageAdmin(admin.ModelAdmin):
    """Rejected bytes kept and deliveries refused per organization and day (read-only)."""

    list_display = ["day", "organization", "rejected_bytes", "refused", "refused_bytes"]
    list_filter = [("organization", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "day"
    readonly_fields = [f.name for f in IntakeDailyUsage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
