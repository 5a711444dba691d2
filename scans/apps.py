from django.apps import AppConfig


class ScansConfig(AppConfig):
    """DNS and HTTPS checks of a domain's TLS-RPT, MX and MTA-STS records (see DESIGN.md)."""

    name = "scans"
