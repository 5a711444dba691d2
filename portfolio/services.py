"""Write paths that span the engines: deleting a domain and everything derived from it."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from accounts.models import Domain
from reports.figures import organization_days_rebuild
from reports.models import DomainDailyTotal


def domain_delete(*, domain: Domain) -> None:
    """Stop monitoring ``domain`` and delete its scans, reports and roll-ups (cascade).

    The organization-day figures the domain was part of are recomputed in the same
    transaction, so portfolio trends never count a deleted domain. Every delete path (API,
    web UI, admin) calls this service instead of ``Domain.delete()``.
    """
    with transaction.atomic():
        days = sorted(
            set(DomainDailyTotal.objects.filter(domain_id=domain.pk).values_list("day", flat=True))
        )
        organization_id = domain.organization_id
        domain.delete()
        if days:
            organization_days_rebuild(organization_id=organization_id, days=days)


def domains_delete(*, domains: Iterable[Domain]) -> int:
    """``domain_delete`` for each of ``domains`` (already scoped by the caller); the count."""
    count = 0
    with transaction.atomic():
        for domain in domains:
            domain_delete(domain=domain)
            count += 1
    return count


def domains_set_active(*, domains: Iterable[Domain], is_active: bool) -> int:
    """Pause (``False``) or resume ``domains`` (already scoped by the caller) in one UPDATE;
    the number whose state changed. A resumed domain keeps its due time: the scheduler scans
    it when due (or at once if it never was)."""
    ids = [domain.pk for domain in domains]
    return (
        Domain.objects.filter(pk__in=ids).exclude(is_active=is_active).update(is_active=is_active)
    )
