"""Stored TLS-RPT reports: raw submissions, normalized reports, quarantine and daily roll-ups.

Flow: a ``Submission`` (raw bytes, stored first) -> one or more ``Report`` rows -> one
``ReportPolicy`` per policy routed to one of the tenant's domains (with its
``FailureDetail`` rows), or a ``QuarantinedPolicy`` when the policy-domain is not the tenant's.
New policies are added to ``DailyRollup``/``DailyFailure`` once, so dashboards never scan reports.
"""

from __future__ import annotations

import gzip

from django.db import models
from django.utils import timezone

from accounts.models import Domain, Organization


class Channel(models.TextChoices):
    HTTPS = "https", "HTTPS"
    EMAIL = "email", "Email"
    FILE = "file", "File"


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # stored, not processed yet (the sweeper re-queues these)
    PROCESSED = "processed", "Processed"
    PARTIAL = "partial", "Partial"  # an email with several attachments, some rejected
    REJECTED = "rejected", "Rejected"  # nothing in it could be read; ``error`` says why


class Submission(models.Model):
    """One delivery as received (HTTPS body, email message or file), kept byte for byte.

    Stored before anything is parsed, so a parser bug or a database hiccup never loses a
    report: a pending row is re-processed by the sweeper. The payload is kept gzip-compressed;
    ``sha256``/``size`` describe the raw bytes, and a byte-identical payload is stored once
    per organization.
    """

    org_path = "organization"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="report_submissions"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    source = models.CharField(
        max_length=500, blank=True, help_text="Remote IP, message-id and mailbox, or file path."
    )
    content_type = models.CharField(max_length=200, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    payload = models.BinaryField(help_text="The raw bytes, gzip-compressed.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the raw (uncompressed) bytes.")
    size = models.PositiveIntegerField(help_text="Size of the raw bytes.")
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.PENDING
    )
    error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    purged_at = models.DateTimeField(
        null=True, blank=True, help_text="When retention dropped the raw bytes (rows stay)."
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "sha256"], name="submission_unique_payload"
            )
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="submission_status_idx")]

    def __str__(self) -> str:
        return f"{self.channel} submission {self.pk} ({self.status})"

    def raw_payload(self) -> bytes:
        """The bytes exactly as received (ValueError once retention purged them)."""
        if self.purged_at is not None:
            raise ValueError(f"the raw bytes of submission {self.pk} were purged")
        return gzip.decompress(bytes(self.payload))


class IntakeDailyUsage(models.Model):
    """Per organization and UTC day: bytes of rejected deliveries kept, and deliveries refused
    (not kept) once ``TLSMON_REPORT_REJECTED_BYTES_PER_DAY`` was used up. Why: the public report
    address must not be free storage for whoever learns it."""

    org_path = "organization"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="intake_usage"
    )
    day = models.DateField()
    rejected_bytes = models.PositiveBigIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    refused_bytes = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name_plural = "intake daily usage"
        constraints = [
            models.UniqueConstraint(fields=["organization", "day"], name="intake_usage_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day}: {self.rejected_bytes} B, {self.refused} refused"


class Report(models.Model):
    """One TLS-RPT report (RFC 8460 §4.4) as the reporter sent it, minus its policies.

    Unique per (organization, reporter, report-id): a re-delivery through another channel adds
    nothing, and a later delivery with new policies adds those policies to the same row.
    The header (``submission``, ``contact_info``, ``start``, ``end``, ``repairs``,
    ``received_at``) is the one of the delivery of its strongest counted copy, not of the first
    delivery: a forged copy sent first gives way with its header once a stronger copy counts
    (``reports.storage``).
    """

    org_path = "organization"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="reports")
    submission = models.ForeignKey(
        Submission,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        help_text="The first delivery that carried it (kept if raw payloads are purged).",
    )
    organization_name = models.CharField(max_length=255, help_text="The reporting organization.")
    report_id = models.CharField(max_length=255)
    contact_info = models.CharField(max_length=255, blank=True)
    start = models.DateTimeField()
    end = models.DateTimeField()
    repairs = models.JSONField(default=list, blank=True, help_text="Tolerances the parser used.")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "organization_name", "report_id"],
                name="report_unique_per_org",
            )
        ]
        indexes = [models.Index(fields=["organization", "-start"], name="report_org_start_idx")]

    def __str__(self) -> str:
        return f"{self.organization_name} {self.report_id}"


class RoutedBy(models.TextChoices):
    POLICY_DOMAIN = "policy-domain", "Policy domain"
    REPORT = "report", "The report's other policies"
    REPORT_DOMAIN_HEADER = "tls-report-domain", "TLS-Report-Domain header"


class ReportPolicy(models.Model):
    """One policy of a report, attached to the tenant's domain it is about.

    "A report is stored once": ``Report`` is unique per (organization, reporter, report-id) and
    a policy copy per (report, policy-domain, policy-type, fingerprint); among the copies of one
    (organization, reporter, report-id, policy-domain, policy-type) key exactly one is
    ``counted`` (``reports.provenance`` says which). ``policy_domain`` is
    what the report said ("" when the sender left it out; ``routed_by`` then says how the
    domain was chosen).
    """

    org_path = "organization"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="policies")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="report_policies"
    )
    domain = models.ForeignKey(
        Domain, null=True, blank=True, on_delete=models.SET_NULL, related_name="report_policies"
    )
    day = models.DateField(help_text="UTC date of the report's start: the roll-up day.")
    policy_type = models.CharField(max_length=40)
    policy_domain = models.CharField(max_length=253, blank=True)
    routed_by = models.CharField(max_length=20, choices=RoutedBy.choices)
    policy_strings = models.JSONField(default=list, blank=True)
    mx_hosts = models.JSONField(default=list, blank=True)
    successful = models.PositiveBigIntegerField(default=0)
    failed = models.PositiveBigIntegerField(default=0)
    # Copies (``reports.provenance``): several deliveries may claim this key with different
    # content; all are kept and exactly one, ``counted``, feeds the roll-ups and figures.
    counted = models.BooleanField(
        default=True, db_default=True, help_text="This copy is the one the figures count."
    )
    fingerprint = models.CharField(
        max_length=64, blank=True, db_default="", help_text="SHA-256 of this copy's content."
    )
    provenance = models.PositiveSmallIntegerField(
        default=2, db_default=2, help_text="1 unsigned email/file, 2 HTTPS, 3 DKIM-signed email."
    )
    received_at = models.DateTimeField(null=True, blank=True, help_text="When this copy arrived.")
    submission = models.ForeignKey(
        Submission,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="policy_copies",
        help_text="The delivery that carried this copy.",
    )

    class Meta:
        ordering = ["-day", "id"]
        verbose_name_plural = "report policies"
        constraints = [
            models.UniqueConstraint(
                fields=["report", "policy_domain", "policy_type", "fingerprint"],
                name="report_policy_copy_stored_once",
            ),
            models.UniqueConstraint(
                fields=["report", "policy_domain", "policy_type"],
                condition=models.Q(counted=True),
                name="report_policy_counted_once",
            ),
        ]
        indexes = [models.Index(fields=["domain", "day"], name="report_policy_domain_day_idx")]

    def __str__(self) -> str:
        return f"{self.policy_type} {self.policy_domain or '(no policy-domain)'}"


class FailureDetail(models.Model):
    """One ``failure-details`` entry, verbatim: IPs stay text because senders send "x.x.x.x"."""

    org_path = "policy__organization"

    policy = models.ForeignKey(
        ReportPolicy, on_delete=models.CASCADE, related_name="failure_details"
    )
    result_type = models.CharField(max_length=100)
    sending_mta_ip = models.CharField(max_length=64, blank=True)
    receiving_mx_hostname = models.CharField(max_length=253, blank=True)
    receiving_mx_helo = models.CharField(max_length=253, blank=True)
    receiving_ip = models.CharField(max_length=64, blank=True)
    failed_session_count = models.PositiveBigIntegerField(default=0)
    failure_reason_code = models.TextField(blank=True)
    additional_information = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.result_type} x{self.failed_session_count}"


class QuarantinedPolicy(models.Model):
    """A policy delivered to this tenant whose domain is not one of the tenant's domains.

    One row per copy: the same key (reporter, report-id, policy domain, type) with other
    content is another row; identical content is a duplicate. Never attached to another tenant.
    ``policy`` and ``report_header`` keep everything needed to store it later
    (``reports.services.quarantine_reprocess`` after the domain is added); ``hints`` are the
    fallback domains for a policy without policy-domain. For ``tlsa`` policies only an exact
    policy-domain match is accepted: matching MX host names would need the scans app's MX
    data, which this app must not import.
    """

    org_path = "organization"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="quarantined_policies"
    )
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="quarantined"
    )
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="quarantined"
    )
    organization_name = models.CharField(max_length=255)
    report_identifier = models.CharField(
        max_length=255, help_text="The report's report-id (``report`` is the stored Report row)."
    )
    policy_type = models.CharField(max_length=40)
    policy_domain = models.CharField(max_length=253, blank=True)
    policy = models.JSONField(default=dict)
    report_header = models.JSONField(default=dict)
    hints = models.JSONField(default=list, blank=True)
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Copies, as on ``ReportPolicy``: a stranger may quarantine a forged copy of a key first, so
    # each content of a key is kept (one row per fingerprint) and ranked when re-processed.
    fingerprint = models.CharField(
        max_length=64, blank=True, db_default="", help_text="SHA-256 of this copy's content."
    )
    provenance = models.PositiveSmallIntegerField(
        default=2, db_default=2, help_text="1 unsigned email/file, 2 HTTPS, 3 DKIM-signed email."
    )
    received_at = models.DateTimeField(null=True, blank=True, help_text="When this copy arrived.")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "quarantined policies"
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "organization",
                    "organization_name",
                    "report_identifier",
                    "policy_domain",
                    "policy_type",
                    "fingerprint",
                ],
                name="quarantined_policy_copy_stored_once",
            )
        ]
        indexes = [models.Index(fields=["organization", "resolved_at"], name="quarantine_open_idx")]

    def __str__(self) -> str:
        return f"{self.policy_type} {self.policy_domain or '(no policy-domain)'}: {self.reason}"


class DailyRollup(models.Model):
    """Session totals per domain, UTC day (of the report's start), reporter and policy type.

    Keyed by policy type because Microsoft reports the same sessions under an ``sts`` and a
    ``tlsa`` policy: per-type figures never double count, and a domain's session total is the
    largest policy type per reporter and day (``reports.counting``, ``DomainDailyTotal``),
    never the sum over types.
    """

    org_path = "organization"

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="daily_rollups")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="daily_rollups"
    )
    day = models.DateField()
    organization_name = models.CharField(max_length=255, help_text="The reporting organization.")
    policy_type = models.CharField(max_length=40)
    successful = models.PositiveBigIntegerField(default=0)
    failed = models.PositiveBigIntegerField(default=0)
    reports = models.PositiveIntegerField(default=0, help_text="Policies counted in this row.")

    class Meta:
        ordering = ["-day", "domain_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "day", "organization_name", "policy_type"],
                name="daily_rollup_unique",
            )
        ]
        indexes = [
            models.Index(fields=["domain", "day"], name="daily_rollup_domain_day_idx"),
            models.Index(fields=["organization", "day"], name="daily_rollup_org_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.domain_id} {self.day} {self.organization_name} {self.policy_type}"


class DailyFailure(models.Model):
    """Failed sessions per domain, UTC day, result type, MX host and sending IP.

    Summed from failure details, which may add up to more than the summary (RFC 8460 §4:
    failure types overlap); keyed by policy type for the same reason as ``DailyRollup``.
    """

    org_path = "organization"

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="daily_failures")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="daily_failures"
    )
    day = models.DateField()
    policy_type = models.CharField(max_length=40)
    result_type = models.CharField(max_length=100)
    receiving_mx_hostname = models.CharField(max_length=253, blank=True)
    sending_mta_ip = models.CharField(max_length=64, blank=True)
    failed = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-day", "domain_id"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "domain",
                    "day",
                    "policy_type",
                    "result_type",
                    "receiving_mx_hostname",
                    "sending_mta_ip",
                ],
                name="daily_failure_unique",
            )
        ]
        indexes = [models.Index(fields=["domain", "day"], name="daily_failure_domain_day_idx")]

    def __str__(self) -> str:
        return f"{self.domain_id} {self.day} {self.result_type} x{self.failed}"
