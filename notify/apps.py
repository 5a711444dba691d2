from django.apps import AppConfig


class NotifyConfig(AppConfig):
    """What TLSMon tells people unasked: email digests, alerts when a domain gets worse, and
    signed webhooks. Owns the notification models and the preferences of each membership."""

    name = "notify"

    def ready(self) -> None:
        from notify import alert_tasks  # noqa: F401 - registers the alert and webhook tasks
        from notify.hooks import on_reports_stored, on_scans_stored
        from reports.signals import reports_stored
        from scans.signals import scans_stored

        scans_stored.connect(on_scans_stored, dispatch_uid="notify.alerts.scans")
        reports_stored.connect(on_reports_stored, dispatch_uid="notify.alerts.reports")
