"""Figures derived from the daily roll-ups so that trends and coverage never aggregate millions
of rows per request.

``DailyRollup``/``DailyFailure`` keep what reporters said, per policy type. These tables hold the
same sessions counted once (for each domain, day and reporter only the policy type with the most
sessions; failure details: the largest count over policy types; rules in ``reports.counting``),
at the two grains the API reads: one domain-day, and one organization-day. They are rebuilt for
the (organization, day) pairs an ingestion touched, in the same transaction (``reports.figures``),
and can be rebuilt from the roll-ups at any time (``manage.py refresh_report_figures``).
"""

from __future__ import annotations

from django.db import models

from accounts.models import Domain, Organization


class DomainDailyTotal(models.Model):
    """Sessions of one domain on one UTC day, every reporter added, no session counted twice."""

    org_path = "organization"

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="daily_totals")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="domain_daily_totals"
    )
    day = models.DateField()
    successful = models.PositiveBigIntegerField(default=0)
    failed = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["day", "domain_id"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "day"], name="domain_daily_total_unique")
        ]
        indexes = [
            models.Index(fields=["organization", "day"], name="domain_daily_total_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.domain_id} {self.day} ok={self.successful} failed={self.failed}"


class OrganizationDailyTotal(models.Model):
    """Sessions of all of an organization's domains on one UTC day, per reporting organization.

    Portfolio trends add at most (organizations x days x reporters) of these rows.
    """

    org_path = "organization"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="daily_totals"
    )
    day = models.DateField()
    organization_name = models.CharField(max_length=255, help_text="The reporting organization.")
    successful = models.PositiveBigIntegerField(default=0)
    failed = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["day", "organization_id", "organization_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "day", "organization_name"],
                name="organization_daily_total_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day} {self.organization_name}"


class OrganizationDailyFailure(models.Model):
    """Failed sessions of all of an organization's domains on one UTC day, per result type and
    receiving MX host (from failure details; they may overlap, RFC 8460 section 4)."""

    org_path = "organization"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="daily_failure_totals"
    )
    day = models.DateField()
    result_type = models.CharField(max_length=100)
    receiving_mx_hostname = models.CharField(max_length=253, blank=True)
    failed = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["day", "organization_id", "result_type", "receiving_mx_hostname"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "day", "result_type", "receiving_mx_hostname"],
                name="organization_daily_failure_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day} {self.result_type} x{self.failed}"


class OrganizationDailyResult(models.Model):
    """``OrganizationDailyFailure`` added up over MX hosts: the "what failed most" trend of a
    whole portfolio reads (organizations x days x result types) rows, not one per MX host."""

    org_path = "organization"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="daily_result_totals"
    )
    day = models.DateField()
    result_type = models.CharField(max_length=100)
    failed = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["day", "organization_id", "result_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "day", "result_type"],
                name="organization_daily_result_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day} {self.result_type} x{self.failed}"
