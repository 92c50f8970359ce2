from rest_framework import serializers

from webhooks.models import Event, WebhookEndpoint


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(Event.choices), allow_empty=False)
    created_by = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "events", "active", "created_by", "created_at"]
        read_only_fields = ["created_at"]


class NewWebhookEndpointSerializer(WebhookEndpointSerializer):
    """The answer to a create: the only time the API shows the secret."""

    secret = serializers.CharField(read_only=True)

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
