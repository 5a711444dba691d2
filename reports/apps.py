from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Receiving, storing and rolling up TLS-RPT reports (see DESIGN.md)."""

    name = "reports"

    def ready(self) -> None:
        from reports import signals  # noqa: F401  (connects the domain-deletion receivers)
