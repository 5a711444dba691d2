"""The organization navigation bar: one list of sections, each shown once its page exists.

Pages register a count badge in ``BADGES`` (URL name -> function of the ``WebAccess``), so the
bar shows, for example, how many reports wait in quarantine.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import NoReverseMatch, reverse

# (URL name, label, URL names that count as "inside" this section)
SECTIONS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("organization", "Dashboard", frozenset({"organization"})),
    ("domains", "Domains", frozenset({"domains", "domain", "domains-bulk"})),
    ("domain-add", "Add domains", frozenset({"domain-add", "client-add"})),
    ("reports", "Reports", frozenset({"reports", "report", "report-download"})),
    ("quarantine", "Quarantine", frozenset({"quarantine"})),
    ("members", "Members", frozenset({"members"})),
    ("settings", "Settings", frozenset({"settings", "tokens", "notification-settings"})),
)

BADGES: dict[str, Callable] = {}


def org_sections(access, current: str | None) -> list[dict]:
    """The sections whose page exists, each with its URL, whether it is current, its badge."""
    slug = access.organization.slug
    sections = []
    for name, label, inside in SECTIONS:
        try:
            url = reverse(name, kwargs={"slug": slug})
        except NoReverseMatch:
            continue
        badge = BADGES[name](access) if name in BADGES else None
        sections.append(
            {"url": url, "label": label, "current": current in inside, "badge": badge or None}
        )
    return sections


def switcher_groups(organizations) -> list[dict]:
    """The header's organization switcher: each top-level organization followed by its clients
    that the user reaches (an MSP admin sees the MSP and every client under it). A client whose
    MSP the user does not reach is listed on its own. Keeps the selector's order."""
    groups: dict[int, dict] = {}
    orphans = []
    for org in organizations:
        if org.managed_by_id is None:
            groups[org.pk] = {"organization": org, "clients": []}
    for org in organizations:
        if org.managed_by_id is not None:
            if org.managed_by_id in groups:
                groups[org.managed_by_id]["clients"].append(org)
            else:
                orphans.append({"organization": org, "clients": []})
    return list(groups.values()) + orphans
