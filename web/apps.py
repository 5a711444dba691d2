from django.apps import AppConfig


class WebConfig(AppConfig):
    """Every server-rendered page and its template (the web UI)."""

    name = "web"
