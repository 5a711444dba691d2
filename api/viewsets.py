"""The base class of every tenant-facing API viewset: scoping is applied here, once.

``get_queryset`` is final. A subclass narrows further in ``scope_queryset``; defining
``get_queryset`` in a subclass is a TypeError at import time, so no viewset can skip scoping.
"""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers
from rest_framework.viewsets import GenericViewSet

from accounts.scoping import Scope, scope_for_token_organization, scope_to_org


def validated_input(serializer_class, data, *, context: dict | None = None) -> dict:
    """Validate ``data`` with an input serializer; a 400 names each bad field."""
    serializer = serializer_class(data=data, context=context or {})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class NoStoreMixin:
    """For viewsets whose answers can show a secret (a report token inside an address, a
    record or a scan's suggested fix): ``Cache-Control: no-store``, so no browser or proxy
    keeps a copy. tests/api/test_no_store.py finds every such answer through the schema."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response


class OrgScopedViewSet(GenericViewSet):
    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset; override scope_queryset instead"
            )

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        request.scope = scope_for_token_organization(request.user.organization)

    @property
    def scope(self) -> Scope:
        return self.request.scope

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request tenant
            return self.queryset.none()
        return self.scope_queryset(scope_to_org(self.queryset.all(), self.scope))

    def scope_queryset(self, queryset):
        return queryset

    def validated_input(self, serializer_class, data) -> dict:
        return validated_input(serializer_class, data, context=self.get_serializer_context())

    def output_for(self, pk: int) -> dict:
        """The output representation of one row, re-read through the scoped queryset."""
        return self.get_serializer(self.get_queryset().get(pk=pk)).data
