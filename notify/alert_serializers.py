"""API shapes of alerts, webhooks and webhook deliveries (the secret appears once, on create)."""

from __future__ import annotations

from rest_framework import serializers

from accounts.serializers import ScopedOrganizationField
from notify.alert_rules import type_label
from notify.models import Alert, Webhook, WebhookDelivery, WebhookFormat
from notify.webhooks import webhook_url_error


class AlertSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    domain = serializers.SlugRelatedField(slug_field="name", read_only=True)
    type_label = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    acknowledged_by = serializers.SlugRelatedField(
        slug_field="email", read_only=True, allow_null=True
    )

    class Meta:
        model = Alert
        fields = [
            "id",
            "organization",
            "domain",
            "domain_id",
            "type",
            "type_label",
            "severity",
            "state",
            "key",
            "group_key",
            "details",
            "first_seen",
            "last_seen",
            "resolved_at",
            "acknowledged_by",
            "acknowledged_at",
            "notified_at",
        ]
        read_only_fields = fields

    def get_type_label(self, alert: Alert) -> str:
        return type_label(alert.type)

    def get_state(self, alert: Alert) -> str:
        """``resolved``, ``acknowledged`` (open, seen by someone) or ``open``."""
        if alert.resolved_at is not None:
            return "resolved"
        return "acknowledged" if alert.acknowledged_at is not None else "open"


class WebhookSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True)

    class Meta:
        model = Webhook
        fields = [
            "id",
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
        read_only_fields = fields


class WebhookCreatedSerializer(WebhookSerializer):
    """The one answer that carries the signing secret."""

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


def _check_url(value: str) -> str:
    error = webhook_url_error(value)
    if error:
        raise serializers.ValidationError(error)
    return value


class WebhookCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    url = serializers.URLField(max_length=2000, validators=[_check_url])
    format = serializers.ChoiceField(choices=WebhookFormat.choices, default=WebhookFormat.JSON)
    organization = ScopedOrganizationField(
        required=False, help_text="Slug of a client organization (MSP tokens); default: own."
    )


class WebhookUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    url = serializers.URLField(max_length=2000, validators=[_check_url], required=False)
    format = serializers.ChoiceField(choices=WebhookFormat.choices, required=False)
    enabled = serializers.BooleanField(required=False)


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "alert",
            "status",
            "attempts",
            "response_status",
            "last_error",
            "created_at",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
            "payload",
        ]
        read_only_fields = fields
