"""Which tenant a delivery belongs to, and which of its domains a policy is about.

A report reaches a tenant only through the secret token in the address it was sent to
(``<token>@<TLSMON_REPORT_DOMAIN>``, ``<token>+anything@...``, or ``/tlsrpt/<token>/``). Inside
the tenant a policy is accepted only for one of the tenant's own domains (DESIGN.md, Tenancy).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from functools import lru_cache

from django.conf import settings

from accounts.domain_names import DomainNameError, normalize_domain_name
from accounts.models import Organization
from reports.models import RoutedBy

TLSA_NOT_OURS = "tlsa policy-domain is not one of your domains (MX host routing not known)"


def report_token_from_address(address: str, *, report_domain: str) -> str | None:
    """The token in ``<token>[+suffix]@<report_domain>`` (case-insensitive), else None."""
    _, addr = parseaddr(address or "")
    local, at, domain = addr.strip().rpartition("@")
    if not at or domain.lower().rstrip(".") != report_domain.lower().rstrip("."):
        return None
    token = local.split("+", 1)[0].strip().lower()
    return token or None


def organization_for_token(token: str) -> Organization | None:
    """The tenant whose report token this is (tokens are lower-case hex; compared lower-cased)."""
    token = (token or "").strip().lower()
    if not token:
        return None
    return Organization.objects.filter(report_token=token).first()


def organization_for_address(address: str) -> Organization | None:
    """The tenant an email recipient address routes to, or None (one query at most)."""
    token = report_token_from_address(address, report_domain=settings.TLSMON_REPORT_DOMAIN)
    return organization_for_token(token) if token else None


@lru_cache(maxsize=65536)
def normalize_policy_domain(name: str) -> str:
    """Compare names as A-labels: case, a trailing dot and U-labels do not matter.

    Only for comparison, not validation: an ASCII name is just lower-cased (the hot path of
    bulk intake); a U-label goes through the same IDNA conversion as the tenant's domains.
    """
    name = (name or "").strip()
    if name.isascii():
        return name.lower().rstrip(".")
    try:
        return normalize_domain_name(name).ascii
    except DomainNameError:
        return name.lower().rstrip(".")


@dataclass(frozen=True)
class Route:
    """Where one policy goes: ``domain_name`` (accepted) or ``reason`` (quarantined)."""

    domain_name: str = ""
    routed_by: str = ""
    reason: str = ""


def route_policy(
    *,
    policy_type: str,
    policy_domain: str,
    hints: Collection[str],
    header_domain: str,
    domains: Mapping[str, object],
) -> Route:
    """Route one policy among the tenant's ``domains`` (A-label -> anything).

    A policy without policy-domain (Postfix/sys4 ``no-policy-found``) goes to the one tenant
    domain the report's other policies name (``hints``), else to the TLS-Report-Domain header's
    domain; otherwise it is quarantined, never dropped.
    """
    name = normalize_policy_domain(policy_domain)
    if name:
        if name in domains:
            return Route(domain_name=name, routed_by=RoutedBy.POLICY_DOMAIN)
        if policy_type == "tlsa":
            return Route(reason=TLSA_NOT_OURS)
        return Route(reason=f"policy-domain {name} is not one of your domains")
    ours = {normalize_policy_domain(h) for h in hints} & set(domains)
    if len(ours) == 1:
        return Route(domain_name=ours.pop(), routed_by=RoutedBy.REPORT)
    header = normalize_policy_domain(header_domain)
    if header and header in domains:
        return Route(domain_name=header, routed_by=RoutedBy.REPORT_DOMAIN_HEADER)
    if len(ours) > 1:
        return Route(reason="no policy-domain, and the report's other policies name several")
    return Route(reason="no policy-domain, and neither the report nor its headers name yours")
