"""The API router: every tenant-facing endpoint under /api/v1/ is registered here."""

from __future__ import annotations

from rest_framework.routers import DefaultRouter, Route

from accounts.api import OrganizationViewSet
from notify.alerts_api import register as register_alerts
from notify.api import register as register_notify
from portfolio.api import DomainViewSet
from portfolio.authorizations_api import AuthorizationViewSet
from portfolio.coverage_api import CoverageViewSet
from portfolio.trends_api import TrendViewSet
from reports.api import register as register_reports
from scans.api import register as register_scans


class ApiRouter(DefaultRouter):
    include_root_view = False
    # A resource that is the caller's own (one object, no id: notification-preferences/)
    # answers GET and PATCH on its collection URL; viewsets without these methods skip it.
    routes = [
        *DefaultRouter.routes,
        Route(
            url=r"^{prefix}{trailing_slash}$",
            mapping={"get": "retrieve_own", "patch": "update_own"},
            name="{basename}-own",
            detail=False,
            initkwargs={"suffix": "Instance"},
        ),
    ]


router = ApiRouter(trailing_slash=True)
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("domains", DomainViewSet, basename="domain")
register_scans(router)
register_reports(router)
router.register("coverage", CoverageViewSet, basename="coverage")
router.register("trends", TrendViewSet, basename="trend")
router.register("authorizations", AuthorizationViewSet, basename="authorization")
register_alerts(router)
register_notify(router)
