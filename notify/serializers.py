"""API shape of a member's own notification preferences."""

from __future__ import annotations

from rest_framework import serializers

from notify.models import NotificationPreference


class NotificationPreferenceSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(
        source="membership.organization.slug",
        read_only=True,
        help_text="The organization these preferences apply to (the token's).",
    )
    email = serializers.EmailField(
        source="membership.user.email", read_only=True, help_text="Where the emails go."
    )
    role = serializers.CharField(source="membership.role", read_only=True)
    digest_hour = serializers.IntegerField(
        min_value=0, max_value=23, help_text="Hour of the day (UTC) the digest is sent."
    )

    class Meta:
        model = NotificationPreference
        fields = [
            "organization",
            "email",
            "role",
            "digest",
            "digest_weekday",
            "digest_hour",
            "alert_email",
            "alert_min_severity",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
