"""/api/v1/webhooks/: the endpoints, for the admin role only (the role's model
permissions, as everywhere in the API). Writes go through webhooks/services.py."""

from rest_framework import viewsets

from webhooks import services
from webhooks.models import WebhookEndpoint
from webhooks.serializers import NewWebhookEndpointSerializer, WebhookEndpointSerializer


class WebhookEndpointViewSet(viewsets.ModelViewSet):
    queryset = WebhookEndpoint.objects.select_related("created_by").order_by("pk")
    serializer_class = WebhookEndpointSerializer
    filterset_fields = ["active"]

    def get_serializer_class(self):
        if self.action == "create":
            return NewWebhookEndpointSerializer
        return WebhookEndpointSerializer

    def perform_create(self, serializer):
        serializer.instance = services.endpoint_create(
            **serializer.validated_data, by=self.request.user
        )

    def perform_update(self, serializer):
        serializer.instance = services.endpoint_update(
            endpoint=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.endpoint_delete(endpoint=instance, by=self.request.user)
