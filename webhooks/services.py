"""Operations on webhook endpoints and deliveries. The UI, the API and the admin call
these; events come in through `event_emit` (see webhooks/receivers.py).

Errors: ValidationError from the model's fields and from safety.check_url
(HTTPS_ONLY, NO_HOST, UNRESOLVABLE, PRIVATE_ADDRESS)."""

import logging
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crm.history import attribute
from webhooks import payloads, safety, tasks
from webhooks.models import WebhookDelivery, WebhookEndpoint, new_secret

audit = logging.getLogger("coalition.audit")


def _save(endpoint, by, reason):
    endpoint.full_clean()
    try:
        safety.check_url(endpoint.url)
    except ValidationError as error:
        raise ValidationError({"url": error.error_list}) from error
    attribute(endpoint, by)
    endpoint._change_reason = reason
    endpoint.save()
    return endpoint


def endpoint_create(*, url, events, description="", active=True, by=None):
    """A new endpoint with a new secret. Raises ValidationError (see the module)."""
    endpoint = WebhookEndpoint(
        url=url, events=list(events), description=description, active=active, created_by=by
    )
    return _save(endpoint, by, "Webhook endpoint added")


def endpoint_update(*, endpoint, by=None, **fields):
    """Change `fields` (url, events, description, active). Raises ValidationError."""
    for name, value in fields.items():
        setattr(endpoint, name, list(value) if name == "events" else value)
    return _save(endpoint, by, "Webhook endpoint changed")


def endpoint_new_secret(*, endpoint, by=None):
    """Replace the endpoint's secret; the receiver must be given the new one."""
    endpoint.secret = new_secret()
    return _save(endpoint, by, "Webhook secret replaced")


def endpoint_delete(*, endpoint, by=None):
    """Delete the endpoint and its deliveries."""
    attribute(endpoint, by)
    endpoint._change_reason = "Webhook endpoint deleted"
    audit.info("webhook endpoint %s (%s) deleted by %s", endpoint.pk, endpoint.url, by)
    endpoint.delete()


def _deliver_after_commit(delivery):
    transaction.on_commit(lambda: tasks.enqueue(delivery))


def event_emit(*, event, data, at=None):
    """Record a delivery of `event` for every active endpoint subscribed to it, in the
    caller's transaction (so an event whose change is rolled back is never sent), and
    queue each for sending once that transaction commits. Returns the deliveries."""
    event_id = uuid.uuid4()
    body = payloads.envelope(event=event, event_id=event_id, data=data, at=at)
    now = timezone.now()
    made = []
    for endpoint in WebhookEndpoint.objects.subscribed_to(event):
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, event_id=event_id, payload=body, next_attempt_at=now
        )
        _deliver_after_commit(delivery)
        made.append(delivery)
    return made


@transaction.atomic
def delivery_send_again(*, delivery, by=None):
    """A new delivery of the same event (same id and payload) to the same endpoint, with
    a new day of retries; the earlier one stays as it was recorded."""
    again = WebhookDelivery.objects.create(
        endpoint=delivery.endpoint,
        event=delivery.event,
        event_id=delivery.event_id,
        payload=delivery.payload,
        next_attempt_at=timezone.now(),
    )
    audit.info("webhook delivery %s sent again as %s by %s", delivery.pk, again.pk, by)
    _deliver_after_commit(again)
    return again
