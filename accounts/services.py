"""Write paths for organizations, memberships, API tokens and domains.

Services validate, write inside a transaction and raise ``ValidationError`` with the offending
field named; the API and the commands turn that into their own error shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.domain_names import DomainName, DomainNameError, normalize_domain_name
from accounts.models import (
    ApiToken,
    Domain,
    Membership,
    Organization,
    Role,
    Tag,
    TokenScope,
    User,
    new_report_token,
)
from accounts.tokens import digest_matches, generate_token, token_lookup

TAG_MAX_LENGTH = 50
LAST_USED_RESOLUTION = timedelta(minutes=1)


# --- Organizations ---------------------------------------------------------------------------


def _organization_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "the organization needs a name"})
    return name


def _check_scan_interval(hours: int) -> None:
    if not 1 <= hours <= 168:
        raise ValidationError({"scan_interval_hours": "must be between 1 and 168 hours"})


def _unique_slug(base: str) -> str:
    """``base`` as a slug if free, else ``base-2``, ``base-3``, ... (within 60 characters)."""
    base = slugify(base)[:60] or "org"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base[: 59 - len(str(n))]}-{n}"
    return slug


def organization_create(
    *,
    name: str,
    slug: str | None = None,
    managed_by: Organization | None = None,
    scan_interval_hours: int = 24,
) -> Organization:
    """Create a tenant; with ``managed_by`` it becomes a client of that MSP organization.

    Slugs are global. When an MSP asks for a slug that is taken, the client gets the next free
    one (``acme-2``) rather than an error: an error would tell the MSP that some other tenant
    uses that slug. An operator (no ``managed_by``) gets the error instead.
    """
    name = _organization_name(name)
    _check_scan_interval(scan_interval_hours)
    if managed_by is not None and managed_by.is_client:
        raise ValidationError(
            {
                "managed_by": f"{managed_by.slug!r} is itself a client organization; "
                "only a top-level organization can manage clients"
            }
        )
    if slug and slugify(slug) != slug:
        raise ValidationError({"slug": f"{slug!r} is not a slug (lower case, digits, '-')"})
    if slug and managed_by is None and Organization.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"the slug {slug!r} is already taken"})
    for _attempt in range(3):  # a concurrent create may take the free slug first
        try:
            with transaction.atomic():
                return Organization.objects.create(
                    name=name,
                    slug=_unique_slug(slug or name),
                    managed_by=managed_by,
                    scan_interval_hours=scan_interval_hours,
                )
        except IntegrityError:
            if managed_by is None and slug:
                break
    raise ValidationError({"slug": "that slug was taken concurrently; try again"})


def organization_update(
    *, organization: Organization, name: str | None = None, scan_interval_hours: int | None = None
) -> Organization:
    """Rename an organization or change its scan interval (the slug and MSP link are fixed)."""
    changed = []
    if name is not None:
        organization.name = _organization_name(name)
        changed.append("name")
    if scan_interval_hours is not None:
        _check_scan_interval(scan_interval_hours)
        organization.scan_interval_hours = scan_interval_hours
        changed.append("scan_interval_hours")
    if changed:
        organization.save(update_fields=changed)
    return organization


def organization_rotate_report_token(*, organization: Organization) -> Organization:
    """Replace the secret in the report addresses, e.g. after it leaked.

    Reports sent to the old address stop being accepted, so the TLS-RPT records that point at it
    must be updated.
    """
    organization.report_token = new_report_token()
    organization.save(update_fields=["report_token"])
    return organization


def membership_set(*, user: User, organization: Organization, role: str) -> Membership:
    """Give ``user`` exactly ``role`` in ``organization`` (creating the membership if needed)."""
    membership, _ = Membership.objects.update_or_create(
        user=user, organization=organization, defaults={"role": Role(role)}
    )
    return membership


@transaction.atomic
def organization_sign_up(*, name: str, owner: User) -> Organization:
    """Sign-up: a new top-level organization (slug: the next free one) owned by ``owner``."""
    organization = organization_create(name=name)
    membership_set(user=owner, organization=organization, role=Role.OWNER)
    return organization


# --- API tokens ------------------------------------------------------------------------------


def api_token_create(
    *,
    organization: Organization,
    name: str,
    scope: str = TokenScope.READ,
    expires_at: datetime | None = None,
    created_by: User | None = None,
) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the plaintext, which is never retrievable again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "give the token a name, e.g. the script that uses it"})
    new = generate_token()
    token = ApiToken.objects.create(
        organization=organization,
        name=name[:100],
        lookup=new.lookup,
        digest=new.digest,
        scope=TokenScope(scope),
        expires_at=expires_at,
        created_by=created_by,
    )
    return token, new.plaintext


def api_token_revoke(*, token: ApiToken, now: datetime | None = None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(plaintext: str, *, now: datetime | None = None) -> ApiToken | None:
    """The usable token for ``plaintext`` (revoked, expired and unknown give None).

    Touches ``last_used_at`` at most once a minute, so busy scripts do not write on every call.
    """
    lookup = token_lookup(plaintext)
    if lookup is None:
        return None
    token = ApiToken.objects.select_related("organization").filter(lookup=lookup).first()
    if token is None or not digest_matches(plaintext, token.digest):
        return None
    now = now or timezone.now()
    if not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_token_cleanup(*, now: datetime, keep_days: int = 90) -> int:
    """Delete tokens revoked or expired more than ``keep_days`` ago; returns how many."""
    cutoff = now - timedelta(days=keep_days)
    revoked = ApiToken.objects.filter(revoked_at__lt=cutoff)
    expired = ApiToken.objects.filter(expires_at__lt=cutoff)
    deleted, _ = (revoked | expired).delete()
    return deleted


# --- Domains and tags ------------------------------------------------------------------------


def _clean_tag_names(names: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in names:
        if not isinstance(raw, str):
            raise ValidationError({"tags": "each tag must be a string"})
        tag = " ".join(raw.split())
        if not tag:
            raise ValidationError({"tags": "a tag cannot be empty"})
        if len(tag) > TAG_MAX_LENGTH:
            raise ValidationError({"tags": f"{tag[:20]!r}... is longer than {TAG_MAX_LENGTH}"})
        if tag not in cleaned:
            cleaned.append(tag)
    return cleaned


def tags_resolve(*, organization: Organization, names: Iterable[str]) -> list[Tag]:
    """The organization's Tag rows for ``names``, created where missing."""
    cleaned = _clean_tag_names(names)
    if not cleaned:
        return []
    Tag.objects.bulk_create(
        [Tag(organization=organization, name=n) for n in cleaned], ignore_conflicts=True
    )
    return list(Tag.objects.filter(organization=organization, name__in=cleaned))


def _normalize_or_error(name: str) -> DomainName:
    try:
        return normalize_domain_name(name)
    except DomainNameError as exc:
        raise ValidationError({"name": str(exc)}) from None


@transaction.atomic
def domain_create(
    *,
    organization: Organization,
    name: str,
    tags: Sequence[str] = (),
    is_active: bool = True,
) -> Domain:
    """Add a domain to an organization; raises ValidationError if invalid or already present."""
    normalized = _normalize_or_error(name)
    if Domain.objects.filter(organization=organization, name=normalized.ascii).exists():
        raise ValidationError(
            {"name": f"{normalized.ascii} is already monitored in {organization.slug}"}
        )
    tag_rows = tags_resolve(organization=organization, names=tags)
    domain = Domain.objects.create(
        organization=organization,
        name=normalized.ascii,
        unicode_name=normalized.unicode,
        is_active=is_active,
    )
    domain.tags.set(tag_rows)
    return domain


@transaction.atomic
def domain_update(
    *, domain: Domain, tags: Sequence[str] | None = None, is_active: bool | None = None
) -> Domain:
    """Change what may change after creation: tags and paused/active (the name is fixed)."""
    if is_active is not None and is_active != domain.is_active:
        domain.is_active = is_active
        domain.save(update_fields=["is_active"])
    if tags is not None:
        domain.tags.set(tags_resolve(organization=domain.organization, names=tags))
    return domain


@dataclass
class BulkRow:
    """The outcome of one input row of a bulk create."""

    row: int
    input: str
    status: str  # "created" | "present" | "invalid"
    name: str | None = None
    id: int | None = None
    error: str | None = None


@dataclass
class BulkResult:
    rows: list[BulkRow] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)


def domains_bulk_create(
    *,
    organization: Organization,
    names: Sequence[str],
    tags: Sequence[str] = (),
    rows: Sequence[int] | None = None,
) -> BulkResult:
    """Create many domains at once; invalid rows are reported and the good rows are kept.

    ``rows`` numbers the names in the results (a CSV's file lines); by default 1, 2, 3, ...
    A name listed twice counts as created once and ``present`` after that. All writes happen in
    one transaction: a database error keeps nothing, a bad row only skips that row.
    """
    result = BulkResult()
    wanted: dict[str, DomainName] = {}
    numbers = rows if rows is not None else range(1, len(names) + 1)
    for index, raw in zip(numbers, names, strict=True):
        text = raw if isinstance(raw, str) else str(raw)
        try:
            normalized = normalize_domain_name(text)
        except DomainNameError as exc:
            result.rows.append(BulkRow(row=index, input=text, status="invalid", error=str(exc)))
            continue
        status = "present" if normalized.ascii in wanted else "created"
        wanted.setdefault(normalized.ascii, normalized)
        result.rows.append(BulkRow(row=index, input=text, status=status, name=normalized.ascii))
    with transaction.atomic():
        tag_rows = tags_resolve(organization=organization, names=tags)
        existing = set(
            Domain.objects.filter(organization=organization, name__in=list(wanted)).values_list(
                "name", flat=True
            )
        )
        Domain.objects.bulk_create(
            [
                Domain(organization=organization, name=n.ascii, unicode_name=n.unicode)
                for n in wanted.values()
                if n.ascii not in existing
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
        ids = dict(
            Domain.objects.filter(organization=organization, name__in=list(wanted)).values_list(
                "name", "id"
            )
        )
        created_ids = [ids[name] for name in wanted if name not in existing]
        if tag_rows and created_ids:
            through = Domain.tags.through
            through.objects.bulk_create(
                [through(domain_id=d, tag_id=t.pk) for d in created_ids for t in tag_rows],
                ignore_conflicts=True,
            )
    for row in result.rows:
        if row.name is not None:
            row.id = ids.get(row.name)
            if row.name in existing:
                row.status = "present"
    return result
