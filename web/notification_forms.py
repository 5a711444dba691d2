"""The form of a member's own notification preferences (digest and alert emails)."""

from __future__ import annotations

from django import forms

from notify.models import NotificationPreference

HOURS = [(hour, f"{hour:02d}:00 UTC") for hour in range(24)]


class NotificationPreferenceForm(forms.ModelForm):
    digest_hour = forms.TypedChoiceField(
        choices=HOURS, coerce=int, label="Digest hour", help_text="When the digest is sent."
    )

    class Meta:
        model = NotificationPreference
        fields = ["digest", "digest_weekday", "digest_hour", "alert_email", "alert_min_severity"]
        labels = {
            "digest": "Digest email",
            "digest_weekday": "Weekday (weekly digest)",
            "alert_email": "Email me alerts",
            "alert_min_severity": "Only alerts at least this severe",
        }
        help_texts = {
            "digest": "Coverage gaps, what changed and failed sessions, in one message.",
            "digest_weekday": "Used by the weekly digest only.",
        }
