"""Notification state: each membership's preferences, the digests sent (one per recipient and
period, claimed before sending), alerts and their acknowledgement, webhooks and their deliveries.

Digests and alerts are per membership (a user may belong to several organizations and want
different things from each); alerts and webhooks belong to an organization.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.choices import text_choices
from accounts.models import Domain, Membership, Organization
from core.vocabulary import Severity

AlertSeverity = text_choices("AlertSeverity", Severity)


class DigestFrequency(models.TextChoices):
    OFF = "off", "Off"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


class DigestPeriod(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class NotificationPreference(models.Model):
    """What one membership wants to receive. Created lazily by
    ``notify.preferences.preference_for`` with defaults that depend on the role."""

    org_path = "membership__organization"

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="notification_preference"
    )
    digest = models.CharField(
        max_length=8, choices=DigestFrequency.choices, default=DigestFrequency.OFF
    )
    digest_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, default=Weekday.MONDAY, help_text="Weekly digests: day (UTC)."
    )
    digest_hour = models.PositiveSmallIntegerField(
        default=7, help_text="Hour of the day (0-23, UTC) the digest is sent."
    )
    alert_email = models.BooleanField(
        default=True, help_text="Email me when a domain of this organization gets worse."
    )
    alert_min_severity = models.CharField(
        max_length=10,
        choices=AlertSeverity.choices,
        default=Severity.WARNING.value,
        help_text="Alerts below this severity are not emailed.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(digest_weekday__gte=0, digest_weekday__lte=6),
                name="notificationpreference_weekday_range",
            ),
            models.CheckConstraint(
                condition=Q(digest_hour__gte=0, digest_hour__lte=23),
                name="notificationpreference_hour_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership}: digest {self.digest}"


class DigestStatus(models.TextChoices):
    CLAIMED = "claimed", "Claimed"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class DigestDelivery(models.Model):
    """One digest for one recipient and period. The unique constraint is the claim: whoever
    inserts the row sends it, so two beat processes never send the same period twice."""

    org_path = "membership__organization"

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="digest_deliveries"
    )
    period = models.CharField(max_length=8, choices=DigestPeriod.choices)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    status = models.CharField(
        max_length=8, choices=DigestStatus.choices, default=DigestStatus.CLAIMED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When a failed send is tried again."
    )
    last_error = models.TextField(blank=True, default="")
    message_id = models.CharField(max_length=255, blank=True, default="")
    recipient = models.EmailField(blank=True, default="", help_text="Address it was sent to.")
    subject = models.CharField(max_length=255, blank=True, default="")
    gap_keys = models.JSONField(
        default=list,
        blank=True,
        help_text="The gaps this digest listed (kind:domain id), so the next one says what "
        "is new and what was fixed.",
    )

    class Meta:
        ordering = ["-period_start", "id"]
        verbose_name_plural = "digest deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "period", "period_start"], name="digest_once_per_period"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="digest_retry_idx")]

    def __str__(self) -> str:
        return f"{self.period} digest from {self.period_start:%Y-%m-%d} to {self.membership}"


class Alert(models.Model):
    """Something got worse on a domain (or organization-wide); open while ``resolved_at`` is
    null. At most one open alert per (domain, type, key)."""

    org_path = "organization"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="alerts")
    domain = models.ForeignKey(
        Domain, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    type = models.CharField(max_length=40)
    severity = models.CharField(max_length=10, choices=AlertSeverity.choices)
    key = models.CharField(
        max_length=255,
        blank=True,
        default="",
        help_text="What tells two alerts of one type on a domain apart (e.g. an MX host).",
    )
    group_key = models.CharField(max_length=255, blank=True, default="")
    details = models.JSONField(default=dict, blank=True)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="acknowledged_alerts",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    notified_severity = models.CharField(
        max_length=10, choices=AlertSeverity.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["-last_seen", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "type", "key"],
                condition=Q(resolved_at__isnull=True),
                name="alert_one_open_per_key",
            ),
            # Organization-wide alerts have no domain, and NULLs never collide in a unique
            # index: this one keeps them at one open alert per (organization, type, key) too.
            models.UniqueConstraint(
                fields=["organization", "type", "key"],
                condition=Q(resolved_at__isnull=True, domain__isnull=True),
                name="alert_one_open_org_wide_per_key",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "resolved_at"], name="alert_org_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.key} ({self.severity})"


class WebhookFormat(models.TextChoices):
    JSON = "json", "JSON"
    SLACK = "slack", "Slack"


class Webhook(models.Model):
    """An organization's HTTPS endpoint that receives signed alert events."""

    org_path = "organization"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhooks"
    )
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=2000)
    secret = models.CharField(max_length=128, help_text="Signing secret; shown once.")
    format = models.CharField(
        max_length=8, choices=WebhookFormat.choices, default=WebhookFormat.JSON
    )
    enabled = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=255, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    GAVE_UP = "gave_up", "Gave up"


class WebhookDelivery(models.Model):
    """One event posted (or to be posted) to one webhook, with its retry state."""

    org_path = "webhook__organization"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_deliveries"
    )
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10,
        choices=WebhookDeliveryStatus.choices,
        default=WebhookDeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx")
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.webhook}"
