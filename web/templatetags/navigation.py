"""``{% org_nav %}``: the organization navigation bar of the page's ``request.access``."""

from __future__ import annotations

from django import template

from web.navigation import org_sections

register = template.Library()


@register.inclusion_tag("web/_org_nav.html", takes_context=True)
def org_nav(context) -> dict:
    request = context["request"]
    access = getattr(request, "access", None)
    if access is None:
        return {"sections": []}
    match = request.resolver_match
    return {
        "organization": access.organization,
        "sections": org_sections(access, match.url_name if match else None),
    }
