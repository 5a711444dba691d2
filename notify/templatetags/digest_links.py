"""Absolute links into the web UI (``TLSMON_BASE_URL``) and plain figures for digest emails."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse

register = template.Library()


def _absolute(name: str, **kwargs) -> str:
    try:
        return f"{settings.TLSMON_BASE_URL}{reverse(name, kwargs=kwargs)}"
    except NoReverseMatch:  # a page that is not built yet: the organization's page instead
        return (
            f"{settings.TLSMON_BASE_URL}{reverse('organization', kwargs={'slug': kwargs['slug']})}"
        )


@register.filter
def organization_url(slug: str) -> str:
    return _absolute("organization", slug=slug)


@register.filter
def domain_url(domain, slug: str) -> str:
    """``{{ domain|domain_url:org.slug }}``: the domain's page (a ``DomainRef`` or any row
    with a ``domain_id``)."""
    return _absolute("domain", slug=slug, domain_id=getattr(domain, "domain_id", None) or domain.id)


@register.filter
def settings_url(slug: str) -> str:
    return _absolute("notification-settings", slug=slug)


@register.filter
def percent(rate: float | None) -> str:
    """0.0123 -> "1.2%"; None (no sessions) -> "no sessions"."""
    if rate is None:
        return "no sessions"
    return f"{rate:.1%}" if rate >= 0.001 or rate == 0 else "<0.1%"


@register.filter
def thousands(number: int) -> str:
    return f"{number:,}"
