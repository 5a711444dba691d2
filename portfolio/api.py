"""The domains endpoint with its delete: deleting reaches into the report figures, which only
``portfolio`` may touch, so the router registers this subclass of the accounts viewset."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from accounts.api import DomainViewSet as AccountsDomainViewSet
from portfolio.services import domain_delete


@extend_schema_view(destroy=extend_schema(summary="Stop monitoring a domain and delete its data"))
class DomainViewSet(mixins.DestroyModelMixin, AccountsDomainViewSet):
    def perform_destroy(self, instance) -> None:
        domain_delete(domain=instance)
