"""Deleting a domain removes its roll-ups (cascade); the organization-day figures it was part
of are recomputed in the same transaction, so portfolio trends never show a deleted domain."""

from __future__ import annotations

from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver

from accounts.models import Domain
from reports.figures import organization_days_rebuild
from reports.models import DomainDailyTotal


@receiver(pre_delete, sender=Domain, dispatch_uid="reports.domain_figure_days")
def remember_figure_days(sender, instance: Domain, **kwargs) -> None:
    instance._figure_days = sorted(
        set(DomainDailyTotal.objects.filter(domain_id=instance.pk).values_list("day", flat=True))
    )


@receiver(post_delete, sender=Domain, dispatch_uid="reports.domain_figures_refresh")
def refresh_figures_without_domain(sender, instance: Domain, **kwargs) -> None:
    days = getattr(instance, "_figure_days", None)
    if days:
        organization_days_rebuild(organization_id=instance.organization_id, days=days)
