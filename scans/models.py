"""Scan history: one row per scan of a domain, and what changed since the previous scan.

The latest verdict, score and gaps are also copied onto ``accounts.Domain`` (``scan_*``
columns) so the coverage view reads one table; these rows are the history behind it.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from accounts.models import Domain, ScanVerdict


class ScanStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    DONE = "done", "Done"
    FAILED = (
        "failed",
        "Failed",
    )  # the scanner itself broke (not a DNS error: that is verdict "error")


class ScanTrigger(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    API = "api", "API"
    COMMAND = "command", "Command"
    WEB = "web", "Web"


class Scan(models.Model):
    """One check of one domain: the verdict, score, findings and raw records seen, with timings.

    ``result`` holds ``scans.results.CheckResult.as_dict()``, the same JSON as
    ``manage.py check_domain --json``. A queued row exists only for on-demand scans, so the
    API can hand out an id to poll before the worker has run.
    """

    org_path = "domain__organization"

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="scans")
    status = models.CharField(max_length=8, choices=ScanStatus.choices, default=ScanStatus.QUEUED)
    trigger = models.CharField(max_length=8, choices=ScanTrigger.choices)
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    verdict = models.CharField(max_length=16, choices=ScanVerdict.choices, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    gaps = models.JSONField(default=list, blank=True)
    findings = models.JSONField(default=list, blank=True)
    result = models.JSONField(default=dict, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["domain", "-finished_at"], name="scan_domain_latest_idx")]

    def __str__(self) -> str:
        return f"{self.domain} {self.verdict or self.status} @ {self.requested_at:%Y-%m-%d %H:%M}"


class ChangeKind(models.TextChoices):
    RECORD_ADDED = "record_added", "Record added"
    RECORD_REMOVED = "record_removed", "Record removed"
    RECORD_CHANGED = "record_changed", "Record changed"
    VERDICT_CHANGED = "verdict_changed", "Verdict changed"
    MTA_STS_MODE_CHANGED = "mta_sts_mode_changed", "MTA-STS mode changed"
    MTA_STS_ID_CHANGED = "mta_sts_id_changed", "MTA-STS id changed"


class ScanChange(models.Model):
    """A difference between a scan and the one before it, kept for alerts and the history view.

    ``worse`` marks changes an alert should fire on (verdict got worse, record removed).
    """

    org_path = "domain__organization"

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="scan_changes")
    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=24, choices=ChangeKind.choices)
    subject = models.CharField(max_length=64, help_text="What changed, e.g. smtp_tls or mx.")
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    worse = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["domain", "-created_at"], name="scanchange_domain_idx")]

    def __str__(self) -> str:
        return f"{self.domain}: {self.kind} {self.before!r} -> {self.after!r}"
