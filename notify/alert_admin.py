"""Operator views of alerts, webhooks and their deliveries (cross-tenant). Alerts and
deliveries are written by the evaluation and the sender; operators acknowledge alerts, switch
webhooks on and off and retry deliveries. The signing secret is never shown.

Registered from ``notify.apps`` (``notify/admin.py`` holds the digest side).
"""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone

from notify.alert_rules import type_label
from notify.models import Alert, Webhook, WebhookDelivery, WebhookDeliveryStatus
from notify.webhooks import webhook_update


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "label",
        "domain",
        "organization",
        "severity",
        "first_seen",
        "last_seen",
        "resolved_at",
        "acknowledged_by",
    ]
    list_filter = ["type", "severity", ("resolved_at", admin.EmptyFieldListFilter), "organization"]
    search_fields = ["domain__name", "key", "group_key"]
    list_select_related = ["domain", "organization", "acknowledged_by"]
    date_hierarchy = "first_seen"
    readonly_fields = [f.name for f in Alert._meta.fields]
    actions = ["acknowledge"]

    @admin.display(description="what")
    def label(self, alert: Alert) -> str:
        return type_label(alert.type)

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Acknowledge selected alerts", permissions=["change"])
    def acknowledge(self, request, queryset):
        count = queryset.filter(acknowledged_at=None).update(
            acknowledged_by=request.user, acknowledged_at=timezone.now()
        )
        self.message_user(request, f"{count} alert(s) acknowledged.")


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = ["event", "status", "attempts", "response_status", "last_error", "created_at"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-created_at"]


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "organization",
        "url",
        "format",
        "enabled",
        "consecutive_failures",
        "disabled_at",
    ]
    list_filter = ["enabled", "format", "organization"]
    search_fields = ["name", "url"]
    list_select_related = ["organization"]
    fields = [
        "organization",
        "name",
        "url",
        "format",
        "enabled",
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
        "created_by",
        "created_at",
    ]
    readonly_fields = [
        "organization",
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
        "created_by",
        "created_at",
    ]
    inlines = [DeliveryInline]
    actions = ["enable"]

    def has_add_permission(self, request) -> bool:
        return False  # created through the API, which shows the secret once

    @admin.action(description="Enable selected webhooks again", permissions=["change"])
    def enable(self, request, queryset):
        for webhook in queryset:
            webhook_update(webhook=webhook, enabled=True)
        self.message_user(request, f"{queryset.count()} webhook(s) enabled.")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "webhook",
        "event",
        "status",
        "attempts",
        "response_status",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
    ]
    list_filter = ["status", "event", "webhook__organization"]
    search_fields = ["webhook__name", "last_error"]
    list_select_related = ["webhook"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Retry selected deliveries now", permissions=["change"])
    def retry_now(self, request, queryset):
        count = queryset.exclude(status=WebhookDeliveryStatus.SUCCEEDED).update(
            status=WebhookDeliveryStatus.FAILED, next_attempt_at=timezone.now()
        )
        self.message_user(request, f"{count} delivery(ies) due now (sent within a minute).")
