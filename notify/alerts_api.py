"""REST endpoints for alerts (list, filter, acknowledge) and webhooks (CRUD, secret shown
once, send a test, delivery log). Thin: validate, call a service, serialize."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.viewsets import NoStoreMixin, OrgScopedViewSet
from notify.alert_filters import AlertFilter
from notify.alert_serializers import (
    AlertSerializer,
    WebhookCreatedSerializer,
    WebhookCreateSerializer,
    WebhookDeliverySerializer,
    WebhookSerializer,
    WebhookUpdateSerializer,
)
from notify.alerts import alert_acknowledge
from notify.models import Alert, Webhook
from notify.webhooks import webhook_create, webhook_send_test, webhook_update


@extend_schema_view(
    list=extend_schema(summary="Alerts, filterable by state, type, domain and organization"),
    retrieve=extend_schema(summary="One alert"),
)
class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    queryset = Alert.objects.select_related("organization", "domain", "acknowledged_by")
    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    ordering_fields = ["last_seen", "first_seen", "severity"]

    @extend_schema(
        summary="Acknowledge an alert (not sent again unless it gets worse)",
        request=None,
        responses={200: AlertSerializer},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        alert = self.get_object()
        alert_acknowledge(alert=alert, user=getattr(request.auth, "created_by", None))
        return Response(self.output_for(alert.pk))


@extend_schema_view(
    list=extend_schema(summary="Webhooks of the token's organizations"),
    retrieve=extend_schema(summary="One webhook (never its secret)"),
    create=extend_schema(
        summary="Add a webhook; the answer holds its signing secret, shown this once",
        request=WebhookCreateSerializer,
        responses={201: WebhookCreatedSerializer},
    ),
    partial_update=extend_schema(
        summary="Rename, move, change format, or enable again (resets the failure count)",
        request=WebhookUpdateSerializer,
        responses={200: WebhookSerializer},
    ),
    destroy=extend_schema(summary="Delete a webhook and its delivery log"),
)
class WebhookViewSet(
    NoStoreMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    OrgScopedViewSet,
):
    queryset = Webhook.objects.select_related("organization", "created_by")
    serializer_class = WebhookSerializer
    ordering_fields = ["name", "created_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request, *args, **kwargs):
        data = self.validated_input(WebhookCreateSerializer, request.data)
        organization = data.pop("organization", None) or self.scope.organization
        webhook = webhook_create(
            organization=organization,
            created_by=getattr(request.auth, "created_by", None),
            **data,
        )
        body = WebhookCreatedSerializer(webhook, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        webhook = self.get_object()
        webhook_update(
            webhook=webhook, **self.validated_input(WebhookUpdateSerializer, request.data)
        )
        return Response(self.output_for(webhook.pk))

    @extend_schema(
        summary="Send a signed test event now; answers the delivery",
        request=None,
        responses={200: WebhookDeliverySerializer},
    )
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        delivery = webhook_send_test(webhook=self.get_object())
        return Response(WebhookDeliverySerializer(delivery).data)

    @extend_schema(
        summary="The webhook's delivery log: its latest 100 deliveries, newest first",
        responses={200: WebhookDeliverySerializer(many=True)},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def deliveries(self, request, pk=None):
        deliveries = self.get_object().deliveries.order_by("-created_at", "-id")[:100]
        return Response(WebhookDeliverySerializer(deliveries, many=True).data)


def register(router) -> None:
    router.register("alerts", AlertViewSet, basename="alert")
    router.register("webhooks", WebhookViewSet, basename="webhook")
