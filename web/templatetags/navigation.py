"""``{% org_nav %}``: the organization navigation bar of the page's ``request.access``;
``{% org_switcher %}``: the header's menu of every organization the user reaches."""

from __future__ import annotations

from django import template

from accounts.selectors import organizations_for_user
from web.navigation import org_sections, switcher_groups

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


@register.inclusion_tag("web/_switcher.html", takes_context=True)
def org_switcher(context) -> dict:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"groups": []}
    access = getattr(request, "access", None)
    return {
        "groups": switcher_groups(list(organizations_for_user(user=request.user))),
        "current": access.organization if access is not None else None,
    }
