"""Scan history: one row per scan of a domain, and what changed since the previous scan.

The latest verdict, MTA-STS status, score and gaps are also copied onto ``accounts.Domain``
(``scan_*`` columns) so the coverage view reads one table; these rows are the history behind it.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from accounts.choices import text_choices
from accounts.models import Domain, ScanMtaSts, ScanVerdict
from core.vocabulary import AuthorizationStatus


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
    DEMO = "demo", "Demo recording"  # seeded by seed_demo_activity; replayed by demo domains


class Scan(models.Model):
    """One check of one domain: the verdict and MTA-STS status, score, findings and raw records
    seen, with timings.

    ``result`` holds ``scans.results.CheckResult.as_dict()``, the same JSON as
    ``manage.py check_domain --json``. A queued row exists only for on-demand scans, so the
    API can hand out an id to poll before the worker has run. A scan of a demo domain
    (``Domain.is_demo``) copies the domain's latest ``demo`` recording and points at it in
    ``replay_of``.
    """

    org_path = "domain__organization"

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="scans")
    status = models.CharField(max_length=8, choices=ScanStatus.choices, default=ScanStatus.QUEUED)
    trigger = models.CharField(max_length=8, choices=ScanTrigger.choices)
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    verdict = models.CharField(max_length=16, choices=ScanVerdict.choices, blank=True)
    mta_sts_status = models.CharField(
        max_length=8,
        choices=ScanMtaSts.choices,
        blank=True,
        help_text="MTA-STS status (protocol.md section 8b); blank until done or without mail.",
    )
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    gaps = models.JSONField(default=list, blank=True)
    findings = models.JSONField(default=list, blank=True)
    result = models.JSONField(default=dict, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    replay_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The demo recording this scan replays (demo domains ask no DNS).",
    )

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


# Outcome of the external-destination check (``scans.external``) for one rua host.
ExternalAuthorizationStatus = text_choices("ExternalAuthorizationStatus", AuthorizationStatus)


class ExternalAuthorization(models.Model):
    """The latest external-destination status of one (domain, rua URI), as its last usable scan
    saw it; replaced by every scan that could read the domain's record.

    The ``<domain>._report._tls.<rua-host>`` record is a vendor convention modelled on DMARC's
    external destination verification (RFC 7489 section 7.1); RFC 8460 does not define it.
    """

    org_path = "domain__organization"

    domain = models.ForeignKey(
        Domain, on_delete=models.CASCADE, related_name="external_authorizations"
    )
    scan = models.ForeignKey(Scan, on_delete=models.SET_NULL, null=True, related_name="+")
    uri = models.CharField(max_length=500)
    rua_host = models.CharField(max_length=253)
    record_name = models.CharField(max_length=600, help_text="The TXT name that was checked.")
    status = models.CharField(max_length=20, choices=ExternalAuthorizationStatus.choices)
    is_tlsmon = models.BooleanField(default=False, help_text="The destination is this TLSMon.")
    checked_at = models.DateTimeField()

    class Meta:
        ordering = ["domain_id", "rua_host", "uri", "id"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "uri"], name="external_authorization_unique")
        ]
        indexes = [models.Index(fields=["rua_host", "status"], name="external_auth_host_idx")]

    def __str__(self) -> str:
        return f"{self.domain} -> {self.rua_host}: {self.status}"
