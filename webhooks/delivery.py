"""One attempt at a delivery: sign, POST, record; on failure, when to try again.

Retries back off exponentially (1, 2, 4, 8 … minutes) for a day from the event; the
attempt that would be followed by one later than that marks the delivery failed.
"""

import datetime
import json
import logging

from django.core.exceptions import ValidationError
from django.utils import timezone

from webhooks import safety, signing, transport
from webhooks.models import WebhookDelivery

logger = logging.getLogger(__name__)

FIRST_RETRY = datetime.timedelta(minutes=1)
RETRY_FOR = datetime.timedelta(days=1)
# While one worker sends a delivery, no other picks it (a worker that dies mid-way
# leaves it to be picked again after this).
LEASE = datetime.timedelta(minutes=5)


def body_of(delivery):
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def _claim(delivery_id, now):
    """The due pending delivery, claimed for this worker; None when another worker has
    it or it is not due (delivered, failed, or waiting for its next attempt)."""
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def _send(delivery, now):
    """(response code or None, error text)."""
    endpoint = delivery.endpoint
    try:
        _host, _port, address = safety.check_url(endpoint.url)
    except ValidationError as error:
        return None, " ".join(error.messages)
    body = body_of(delivery)
    timestamp = int(now.timestamp())
    headers = {
        signing.TIMESTAMP_HEADER: str(timestamp),
        signing.SIGNATURE_HEADER: signing.sign(endpoint.secret, timestamp, body),
        "X-Coalition-Event": delivery.event,
        "X-Coalition-Delivery": str(delivery.event_id),
    }
    try:
        code = transport.post(endpoint.url, address=address, body=body, headers=headers)
    except Exception as error:  # noqa: BLE001 - any failure to reach it is recorded
        return None, f"{type(error).__name__}: {error}"[:300]
    return code, "" if 200 <= code < 300 else f"The endpoint answered {code}."


def next_attempt(delivery, now):
    """When to try again after a failed attempt, or None when the day is over."""
    delay = FIRST_RETRY * 2 ** (delivery.attempts - 1)
    at = now + delay
    return at if at <= delivery.created_at + RETRY_FOR else None


def attempt(delivery_id, *, now=None):
    """Try a due delivery once and record the outcome (status, attempts, response code,
    error, next attempt). Returns the delivery, or None when it was not due."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    code, error = _send(delivery, now)
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_response_code = code
    delivery.last_error = error
    if code is not None and 200 <= code < 300:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = next_attempt(delivery, now)
        if delivery.next_attempt_at is None:
            delivery.status = WebhookDelivery.Status.FAILED
        logger.info("webhook delivery %s failed: %s", delivery.pk, error)
    delivery.save()
    return delivery


def due(now=None):
    now = now or timezone.now()
    return WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")
