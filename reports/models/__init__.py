"""The reports app's models: what was received (``intake``) and the figures derived from it
(``figures``), re-exported so ``from reports.models import X`` stays the one import."""

from reports.models.figures import (
    DomainDailyTotal,
    OrganizationDailyFailure,
    OrganizationDailyResult,
    OrganizationDailyTotal,
)
from reports.models.intake import (
    Channel,
    DailyFailure,
    DailyRollup,
    FailureDetail,
    IntakeDailyUsage,
    QuarantinedPolicy,
    Report,
    ReportPolicy,
    RoutedBy,
    Submission,
    SubmissionStatus,
)

__all__ = [
    "Channel",
    "DailyFailure",
    "DailyRollup",
    "DomainDailyTotal",
    "FailureDetail",
    "IntakeDailyUsage",
    "OrganizationDailyFailure",
    "OrganizationDailyResult",
    "OrganizationDailyTotal",
    "QuarantinedPolicy",
    "Report",
    "ReportPolicy",
    "RoutedBy",
    "Submission",
    "SubmissionStatus",
]
