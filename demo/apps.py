from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data and the seed commands the quickstart runs."""

    name = "demo"
