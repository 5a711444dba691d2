"""Users, organizations (the tenants), memberships, API tokens, and the monitored domains.

Every tenant-owned model declares ``org_path``: the lookup from the row to its Organization.
``accounts.scoping.scope_to_org`` reads it; a model without it cannot be scoped and so cannot
be served to tenants.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.choices import text_choices
from accounts.domain_names import name_warnings
from core.vocabulary import MtaStsStatus, Verdict


class UserManager(BaseUserManager["User"]):
    """Users log in with their email address; there is no username."""

    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("an email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person who logs in to the web UI or admin. Created now: Django cannot swap it later."""

    username = None
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    def __str__(self) -> str:
        return self.email


def new_report_token() -> str:
    """128 random bits as lower-case hex: valid in an email local part and in a URL path."""
    return secrets.token_hex(16)


class Organization(models.Model):
    """The tenant. A top-level organization may manage client organizations (one level only).

    An organization with clients acts as an MSP: its admins and owners, and its API tokens,
    reach the client organizations too. A client cannot itself have clients.
    """

    org_path = "pk"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    managed_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clients",
        help_text="The MSP organization that manages this client organization.",
    )
    report_token = models.CharField(
        max_length=64,
        unique=True,
        default=new_report_token,
        editable=False,
        help_text="Secret in the addresses reports are sent to; routes a report to this tenant.",
    )
    scan_interval_hours = models.PositiveSmallIntegerField(
        default=24, help_text="How often this organization's domains are re-scanned (1-168 h)."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(managed_by=models.F("pk")), name="organization_not_own_msp"
            ),
            models.CheckConstraint(
                condition=Q(scan_interval_hours__gte=1, scan_interval_hours__lte=168),
                name="organization_scan_interval_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_client(self) -> bool:
        return self.managed_by_id is not None

    @property
    def report_mailto(self) -> str:
        """The mailbox this organization's reports go to (routed by the token, polled by IMAP)."""
        return f"mailto:{self.report_token}@{settings.TLSMON_REPORT_DOMAIN}"

    @property
    def report_https_url(self) -> str:
        """The HTTPS intake URL (RFC 8460 section 5.4) of this organization's reports."""
        return f"{settings.TLSMON_BASE_URL}/tlsrpt/{self.report_token}/"

    @property
    def report_destinations(self) -> tuple[str, ...]:
        """The rua destinations to publish. RFC 8460 knows only mailto: and https:, so a
        development install served over plain http offers its mailbox alone."""
        if self.report_https_url.startswith("https://"):
            return (self.report_mailto, self.report_https_url)
        return (self.report_mailto,)


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


def role_at_least(role: str, minimum: str) -> bool:
    """owner > admin > member > viewer."""
    return ROLE_RANK[Role(role)] >= ROLE_RANK[Role(minimum)]


class Membership(models.Model):
    """A user's role in one organization.

    owner/admin manage domains, tokens and members (and, in an MSP, the client organizations);
    member manages domains; viewer only reads.
    """

    org_path = "organization"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"


class Invitation(models.Model):
    """An emailed offer to join an organization with a role, answered through a link.

    Only the SHA-256 digest of the link's secret is stored. A link works once, until
    ``expires_at``, and not after it was revoked (``accounts.invitations`` applies the rules).
    """

    org_path = "organization"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(help_text="Stored lower case; only this address can accept.")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.email} to {self.organization} ({self.role})"

    def state(self, now: datetime) -> str:
        """``accepted``, ``revoked``, ``expired`` or ``pending``: what the link does now."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "pending"


class TokenScope(models.TextChoices):
    READ = "read", "Read only"
    WRITE = "write", "Read and write"


class ApiToken(models.Model):
    """An organization's API key. Only its SHA-256 digest is stored (see accounts.tokens)."""

    org_path = "organization"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    lookup = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    scope = models.CharField(max_length=5, choices=TokenScope.choices, default=TokenScope.READ)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def prefix(self) -> str:
        return f"tlsm_{self.lookup}"

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE

    def is_usable(self, now: datetime) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now


class Tag(models.Model):
    """A label an organization puts on its domains for its own grouping (e.g. per client site)."""

    org_path = "organization"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="tag_unique_per_org")
        ]

    def __str__(self) -> str:
        return self.name


# Verdicts of a record scan (protocol.md section 8); "error" means "could not tell".
ScanVerdict = text_choices("ScanVerdict", Verdict)
# The MTA-STS axis of a scan (protocol.md section 8b), beside the verdict.
ScanMtaSts = text_choices("ScanMtaSts", MtaStsStatus)


class DomainQuerySet(models.QuerySet):
    def all_tenants(self) -> DomainQuerySet:
        """Every tenant's domains, for background sweeps (scheduler, retention) only.

        Named loudly so a reviewer can grep for cross-tenant reads; request code goes through
        ``accounts.scoping.scope_to_org`` instead.
        """
        return self.all()


class Domain(models.Model):
    """A monitored mail domain, stored as its A-label; unique within its organization.

    The scan and report apps write their latest facts (verdict, last report time) onto the
    domain side, so the coverage view stays one query over domains.
    """

    org_path = "organization"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="domains")
    name = models.CharField(max_length=253, help_text="A-label form: lower case, no trailing dot.")
    unicode_name = models.CharField(max_length=253, help_text="Display form of an IDN.")
    tags = models.ManyToManyField(Tag, blank=True, related_name="domains")
    is_active = models.BooleanField(default=True, help_text="Paused domains are not scanned.")
    # Set by manage.py seed_demo, never guessed from a name: the demo's names do not exist in
    # public DNS, so a real scan would turn the demo into "domain does not exist" pages.
    is_demo = models.BooleanField(
        default=False,
        help_text="Demo data: scans replay the demo's recorded result instead of asking DNS.",
    )
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    # Latest scan, written by scans.services (the coverage view reads only this table).
    scan_verdict = models.CharField(
        max_length=16,
        choices=ScanVerdict.choices,
        blank=True,
        default="",
        help_text="Blank until the first scan.",
    )
    scan_mta_sts = models.CharField(
        max_length=8,
        choices=ScanMtaSts.choices,
        blank=True,
        default="",
        help_text="MTA-STS status; blank until the first scan and when the domain takes no mail.",
    )
    scan_score = models.PositiveSmallIntegerField(null=True, blank=True)
    scan_gaps = models.JSONField(
        default=list, blank=True, help_text="Gap kinds found by the latest scan."
    )
    scanned_at = models.DateTimeField(null=True, blank=True)
    next_scan_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the scheduler scans it next; blank = as soon as possible.",
    )
    # Latest report and recent session totals, written by reports (``reports.figures``).
    last_report_at = models.DateTimeField(null=True, blank=True)
    report_window_end = models.DateField(
        null=True,
        blank=True,
        help_text="Last UTC day in the 7- and 30-day session totals (yesterday when fresh).",
    )
    sessions_7d = models.PositiveBigIntegerField(default=0)
    failed_7d = models.PositiveBigIntegerField(default=0)
    sessions_30d = models.PositiveBigIntegerField(default=0)
    failed_30d = models.PositiveBigIntegerField(default=0)

    objects = DomainQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="domain_unique_per_org")
        ]
        indexes = [
            # Pages of lists ordered by name walk this index instead of sorting every row;
            # the organization rides along so the tenant filter needs no table visit.
            models.Index(fields=["name", "id"], include=["organization"], name="domain_name_idx"),
            models.Index(fields=["is_active", "next_scan_at"], name="domain_due_idx"),
        ]

    def __str__(self) -> str:
        return self.unicode_name or self.name

    @property
    def name_warnings(self) -> tuple[str, ...]:
        """Warnings about the name itself (a label mixing scripts), for the API and pages."""
        return name_warnings(self.unicode_name or self.name)
