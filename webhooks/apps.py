from django.apps import AppConfig

# What crm/privacy.py's registry check needs to know of this app's tables.
NOT_PERSONAL = {
    "webhooks.webhookendpoint": "addresses and secrets of the coalition's own receivers",
    "webhooks.historicalwebhookendpoint": "changes to receivers' addresses (never a secret)",
    "webhooks.webhookdelivery": "events sent: ids, states and dates only (webhooks/payloads)",
}


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from crm import privacy, roles
        from webhooks import receivers

        receivers.connect()
        # Endpoints are set up by admins only (the role sync runs after every migrate).
        roles.ADMIN_APPS.add(self.label)
        privacy.NOT_PERSONAL.update(NOT_PERSONAL)
