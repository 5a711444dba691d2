"""Operator views of notifications: preferences, digests sent, alerts and webhooks.

Deliveries are records of what happened, so their fields are read-only here; an operator may
change a member's preferences (e.g. stop a digest that bounces), acknowledge alerts, switch
webhooks on again and retry webhook deliveries. A webhook's signing secret is never shown."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils import timezone

from notify.alert_rules import type_label
from notify.models import (
    Alert,
    DigestDelivery,
    NotificationPreference,
    Webhook,
    WebhookDelivery,
    WebhookDeliveryStatus,
)
from notify.webhooks import webhook_update


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("membership", "digest", "digest_weekday", "digest_hour", "alert_email")
    list_filter = ("digest", "alert_email", "alert_min_severity")
    search_fields = ("membership__user__email", "membership__organization__slug")
    list_select_related = ("membership__user", "membership__organization")
    raw_id_fields = ("membership",)


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("membership", "period", "period_start", "status", "attempts", "sent_at")
    list_filter = ("status", "period")
    search_fields = ("membership__user__email", "recipient", "message_id")
    list_select_related = ("membership__user", "membership__organization")
    date_hierarchy = "period_start"
    exclude = ("gap_keys",)  # thousands of rows for a large MSP; the digest itself says it


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
    list_select_related = ["domain", "organization", "acknowledged_by"]
    date_hierarchy = "first_seen"
    readonly_fields = [f.name for f in Alert._meta.fields]
    search_fields = ["domain__name", "organization__slug", "key", "group_key"]
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
    raw_id_fields = ("created_by",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
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
