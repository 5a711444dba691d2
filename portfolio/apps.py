from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    """Cross-app read models (coverage, trends, authorizations) and the domain-delete service."""

    name = "portfolio"
