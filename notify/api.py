"""REST API of notifications: the caller's own preferences (GET and PATCH
``notification-preferences/``). An API token acts for a person here: the user who created it,
in the token's organization."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts.models import Membership
from api.viewsets import OrgScopedViewSet
from notify.models import NotificationPreference
from notify.preferences import preference_for, preference_update
from notify.serializers import NotificationPreferenceSerializer

# A token nobody created for themselves (manage.py create_token) has no preferences to show.
_NO_CALLER_RESPONSE = OpenApiResponse(
    response={"$ref": "#/components/schemas/Error"},
    description="The token acts for no member of its organization (created without a user, "
    "or its creator left).",
)
NO_CALLER = (
    "this token acts for no member of its organization (it was created without a user, or "
    "its creator left): create a token while logged in to manage your notification preferences"
)


class NotificationPreferenceViewSet(OrgScopedViewSet):
    queryset = NotificationPreference.objects.select_related(
        "membership__organization", "membership__user"
    )
    serializer_class = NotificationPreferenceSerializer
    filter_backends: list = []
    pagination_class = None

    def _own(self) -> NotificationPreference:
        """The caller's preference, read through the scoped queryset (created on first use)."""
        token = self.request.auth
        membership = Membership.objects.filter(
            user_id=token.created_by_id, organization_id=token.organization_id
        ).first()
        if token.created_by_id is None or membership is None:
            raise NotFound(NO_CALLER)
        preference = preference_for(membership)
        return self.get_queryset().get(pk=preference.pk)

    @extend_schema(
        summary="Your own notification preferences (digest and alert emails)",
        responses={200: NotificationPreferenceSerializer, 404: _NO_CALLER_RESPONSE},
    )
    def retrieve_own(self, request):
        return Response(self.get_serializer(self._own()).data)

    @extend_schema(
        summary="Change your own notification preferences",
        responses={200: NotificationPreferenceSerializer, 404: _NO_CALLER_RESPONSE},
    )
    def update_own(self, request):
        preference = self._own()
        serializer = self.get_serializer(preference, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)  # a 400 names each bad field
        preference_update(preference=preference, **serializer.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=preference.pk)).data)


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register(
        "notification-preferences",
        NotificationPreferenceViewSet,
        basename="notification-preference",
    )
