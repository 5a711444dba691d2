from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, organizations (tenants), memberships, API tokens and domains."""

    name = "accounts"

    def ready(self) -> None:
        from accounts.lookups import ListIncludes
        from accounts.models import Domain

        Domain._meta.get_field("scan_gaps").register_lookup(ListIncludes)
