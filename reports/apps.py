from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Receiving, storing and rolling up TLS-RPT reports (see DESIGN.md)."""

    name = "reports"
