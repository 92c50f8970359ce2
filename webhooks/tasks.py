"""Deliveries as background tasks. A failed attempt re-enqueues the task for its next
attempt when the task backend can run a task later (the database and Redis backends
can); otherwise, and as a safety net, `manage.py deliver_webhooks` sends what is due."""

from django.tasks import task

from webhooks import delivery as deliveries
from webhooks.models import WebhookDelivery


def enqueue(delivery):
    """Queue `delivery`'s next attempt (now, or later when the backend allows it)."""
    if delivery.next_attempt_at is None or delivery.status != WebhookDelivery.Status.PENDING:
        return
    if deliver_webhook.get_backend().supports_defer:
        deliver_webhook.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
    elif delivery.attempts == 0:
        # A backend that runs tasks at once (tests, development): the first attempt only;
        # retries are left to `manage.py deliver_webhooks`.
        deliver_webhook.enqueue(delivery.pk)


@task
def deliver_webhook(delivery_id):
    delivered = deliveries.attempt(delivery_id)
    if delivered is not None:
        enqueue(delivered)
