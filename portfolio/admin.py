"""The Domain admin deletes through ``portfolio.services`` so the figures stay right."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin import DomainAdmin as AccountsDomainAdmin
from accounts.models import Domain
from portfolio.services import domain_delete, domains_delete

admin.site.unregister(Domain)


@admin.register(Domain)
class DomainAdmin(AccountsDomainAdmin):
    def delete_model(self, request, obj: Domain) -> None:
        domain_delete(domain=obj)

    def delete_queryset(self, request, queryset) -> None:
        domains_delete(domains=queryset)
