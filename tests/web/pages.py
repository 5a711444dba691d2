"""Every web page that shows or changes a tenant's data, with how to build one for a test.

``tests/web/test_page_tenancy.py`` checks each entry against a user of another organization,
and fails for any URL pattern of ``web`` that is neither listed here nor in ``PUBLIC``. A new
page adds one ``Page(...)`` line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from accounts.invitations import invitation_create
from accounts.models import Role
from accounts.services import api_token_create
from tests.factories import (
    DomainFactory,
    MembershipFactory,
    QuarantinedPolicyFactory,
    ReportPolicyFactory,
)


@dataclass(frozen=True)
class Page:
    """``make(org)`` creates what the URL needs inside ``org`` and returns the URL kwargs
    (``slug`` included); ``post`` is a form body for a POST check, ``None`` when the page
    takes no POST; ``get`` is False for a POST-only action."""

    name: str
    make: Callable
    post: dict | None = None
    query: dict = field(default_factory=dict)
    get: bool = True

    def __str__(self) -> str:
        return self.name


def _slug(org) -> dict:
    return {"slug": org.slug}


def _domain(org) -> dict:
    return {"slug": org.slug, "domain_id": DomainFactory(organization=org).pk}


def _token(org) -> dict:
    token, _ = api_token_create(organization=org, name="pages")
    return {"slug": org.slug, "token_id": token.pk}


def _report(org) -> dict:
    return {"slug": org.slug, "report_id": ReportPolicyFactory(report__organization=org).report_id}


def _quarantined(org) -> dict:
    return {"slug": org.slug, "item_id": QuarantinedPolicyFactory(organization=org).pk}


def _membership(org) -> dict:
    member = MembershipFactory(organization=org, role=Role.VIEWER)
    return {"slug": org.slug, "membership_id": member.pk}


def _invitation(org) -> dict:
    invitation, _ = invitation_create(
        organization=org,
        email="invited@example.com",
        role=Role.MEMBER,
        invited_by=None,
        acting_role=Role.OWNER,
    )
    return {"slug": org.slug, "invitation_id": invitation.pk}


def _batch(org) -> dict:
    """A batch id of the kind the result page reads from the session: the check is that the
    organization in the URL is resolved (404) before any session lookup."""
    return {"slug": org.slug, "batch": "b4tch1d"}


PAGES = [
    Page("organization", _slug),
    Page("tokens", _slug, post={"action": "token", "name": "outsider", "scope": "read"}),
    Page("token-revoke", _token, post={}),
    Page("domain-add", _slug, post={"names": "added-by-outsider.example"}),
    Page("domain-add-result", _batch, post={}),
    Page("domain-add-status", _batch),
    Page("client-add", _slug, post={"name": "Outsider's client", "scan_interval_hours": "24"}),
    Page("settings", _slug, post={"action": "organization", "name": "Renamed by outsider"}),
    Page("domain", _domain),
    Page("reports", _slug),
    Page("report", _report),
    Page("report-download", _report),
    Page("quarantine", _slug),
    Page("quarantine-retry", _quarantined, post={}, get=False),
    Page("quarantine-add-domain", _quarantined, post={}, get=False),
    Page("members", _slug, post={"email": "outsider@example.com", "role": "viewer"}),
    Page("member-role", _membership, post={"role": "admin"}, get=False),
    Page("member-remove", _membership, post={}),
    Page("invitation-revoke", _invitation, post={}),
    Page(
        "notification-settings",
        _slug,
        post={
            "digest": "daily",
            "digest_weekday": 0,
            "digest_hour": 7,
            "alert_min_severity": "warning",
        },
    ),
    Page("domains", _slug, query={"verdict": "fail", "sort": "-score"}),
    Page("domains-export", _slug),
    Page("domains-bulk", _slug, post={"action": "pause", "confirm": "yes"}),
]

# URL names of web pages that read or change no organization's data through the URL, each
# with the reason (the dashboard lists only what the user reaches: tests/web/test_pages.py).
PUBLIC = {
    "dashboard": "lists the user's own organizations only",
    "login": "anonymous",
    "logout": "the user's own session",
    "healthz": "no data",
    "invitation": "the secret in the link picks the invitation; it names no slug",
    "invitation-accept": "the same secret; only the invited address accepts",
    "unsubscribe": "anonymous: a signed token names the one membership it switches off",
}
