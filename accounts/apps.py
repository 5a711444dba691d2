from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, organizations (tenants), memberships, API tokens and domains."""

    name = "accounts"
