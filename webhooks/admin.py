"""Webhooks in the Django admin: endpoints saved and deleted through the services (the
address checks hold here too), deliveries read-only. The staff pages are the usual way."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from webhooks import services
from webhooks.forms import EndpointForm
from webhooks.models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SimpleHistoryAdmin):
    form = EndpointForm
    list_display = ["url", "description", "active", "created_by", "created_at"]
    list_filter = ["active"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    actions = None

    def save_model(self, request, obj, form, change):
        changes = form.as_changes()
        if change:
            saved = services.endpoint_update(
                endpoint=WebhookEndpoint.objects.get(pk=obj.pk), by=request.user, **changes
            )
        else:
            saved = services.endpoint_create(**changes, by=request.user)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.endpoint_delete(endpoint=obj, by=request.user)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "endpoint", "status", "attempts", "last_response_code", "created_at"]
    list_filter = ["status", "event"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
