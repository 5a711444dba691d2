"""The cross-tenant contract every API endpoint joins with one ``tenant_endpoint(...)`` line.

``tests/api/test_tenancy.py`` runs each registered endpoint through the same cases: another
organization's object is absent from lists and gives 404 on detail, update and delete; an MSP
token reaches its clients and nothing else; a read-only token cannot write. A meta-test fails
when a router endpoint has no entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accounts.models import Organization
from tests.factories import DomainFactory


@dataclass(frozen=True)
class TenantEndpoint:
    basename: str  # the router basename, e.g. "domain"
    list_url: str
    make: Callable[[Organization], Any]  # an object that belongs to the given organization
    update: dict | None = None  # a PATCH body, if the endpoint allows updates
    deletable: bool = False
    create: Callable[[Organization], dict] | None = None  # a POST body, if creation is allowed

    def detail_url(self, obj) -> str:
        return f"{self.list_url}{obj.pk}/"

    def __str__(self) -> str:
        return self.basename


ENDPOINTS: list[TenantEndpoint] = []


def tenant_endpoint(**kwargs) -> None:
    ENDPOINTS.append(TenantEndpoint(**kwargs))


tenant_endpoint(
    basename="organization",
    list_url="/api/v1/organizations/",
    make=lambda org: org,
    update={"name": "Renamed by an intruder"},
    create=lambda org: {"name": "New client"},
)
tenant_endpoint(
    basename="domain",
    list_url="/api/v1/domains/",
    make=lambda org: DomainFactory(organization=org),
    update={"tags": ["intruder"], "is_active": False},
    deletable=True,
    create=lambda org: {"name": f"new-{org.slug}.example"},
)


def _make_report(org: Organization):
    from tests.factories import ReportPolicyFactory

    return ReportPolicyFactory(report__organization=org).report


def _make_quarantined(org: Organization):
    from tests.factories import QuarantinedPolicyFactory

    return QuarantinedPolicyFactory(organization=org)


tenant_endpoint(basename="report", list_url="/api/v1/reports/", make=_make_report)
tenant_endpoint(basename="quarantine", list_url="/api/v1/quarantine/", make=_make_quarantined)
# The objects are organizations: their report addresses carry the tenant's secret token.
tenant_endpoint(
    basename="reporting-address", list_url="/api/v1/reporting-addresses/", make=lambda org: org
)


def _make_scan(org: Organization):
    from scans.models import Scan

    return Scan.objects.create(domain=DomainFactory(organization=org), trigger="api")


tenant_endpoint(basename="scan", list_url="/api/v1/scans/", make=_make_scan)

# Router endpoints without a list of their own, covered by a dedicated cross-tenant test.
NESTED_COVERAGE = {
    # /domains/{id}/scan/, /scans/, /latest-scan/
    "domain-scan": "tests/scans/test_api_scans.py::"
    "test_another_organizations_domain_is_404_for_every_scan_action",
    # List-only portfolio endpoints (no detail URL for the contract above). Each file also
    # covers an MSP's reach, a client's reach, read-only tokens and 405 on writes.
    "coverage": "tests/portfolio/test_api_coverage.py::"
    "test_an_organization_never_sees_another_organizations_coverage",
    "trend": "tests/portfolio/test_api_trends.py::"
    "test_an_organization_never_sees_another_organizations_sessions",
    "authorization": "tests/portfolio/test_api_authorizations.py::"
    "test_an_organization_never_sees_another_organizations_destinations",
    # The caller's own preferences (one object, no id): a token reaches only its creator's
    # membership in the token's organization, never a colleague's, a client's or another's.
    "notification-preference": "tests/notify/test_api_preferences.py::"
    "test_a_token_only_ever_reaches_its_creators_own_preferences",
}


def _make_alert(org: Organization):
    from notify.models import Alert

    domain = DomainFactory(organization=org)
    return Alert.objects.create(
        organization=org, domain=domain, type="record_removed", key="smtp_tls", severity="critical"
    )


def _make_webhook(org: Organization):
    from notify.models import Webhook

    return Webhook.objects.create(
        organization=org, name="hook", url="https://hooks.example/a", secret="whsec_x"
    )


tenant_endpoint(basename="alert", list_url="/api/v1/alerts/", make=_make_alert)
tenant_endpoint(
    basename="webhook",
    list_url="/api/v1/webhooks/",
    make=_make_webhook,
    update={"name": "Renamed by an intruder"},
    deletable=True,
    create=lambda org: {"name": "chat", "url": "https://hooks.example/new"},
)
