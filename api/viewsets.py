"""The base class of every tenant-facing API viewset: scoping is applied here, once.

``get_queryset`` is final. A subclass narrows further in ``scope_queryset``; defining
``get_queryset`` in a subclass is a TypeError at import time, so no viewset can skip scoping.
"""

from __future__ import annotations

from rest_framework.viewsets import GenericViewSet

from accounts.scoping import Scope, scope_for_token_organization, scope_to_org


def validated_input(serializer_class, data, *, context: dict | None = None) -> dict:
    """Validate ``data`` with an input serializer; a 400 names each bad field."""
    serializer = serializer_class(data=data, context=context or {})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


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
