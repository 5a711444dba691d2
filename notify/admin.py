"""Operator views of notifications: preferences, digests sent, alerts and webhooks.

Deliveries are records of what happened, so they are read-only here; an operator may change a
member's preferences (e.g. stop a digest that bounces)."""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from notify.models import (
    Alert,
    DigestDelivery,
    NotificationPreference,
    Webhook,
    WebhookDelivery,
)


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
    list_display = ("type", "severity", "domain", "organization", "first_seen", "resolved_at")
    list_filter = ("severity", "type")
    search_fields = ("domain__name", "organization__slug", "key")
    list_select_related = ("domain", "organization")
    raw_id_fields = ("organization", "domain", "acknowledged_by")


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "format", "enabled", "consecutive_failures")
    list_filter = ("enabled", "format")
    search_fields = ("name", "url", "organization__slug")
    list_select_related = ("organization",)
    raw_id_fields = ("organization", "created_by")
    exclude = ("secret",)  # shown once to whoever created it, never again
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("webhook", "event", "status", "attempts", "response_status", "created_at")
    list_filter = ("status", "event")
    list_select_related = ("webhook",)
