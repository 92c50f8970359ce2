"""Each delivery is POSTed as signed JSON, recorded with its response code, retried with
backoff for a day when it fails, and then marked failed."""

import datetime
import json
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from webhooks import delivery as deliveries
from webhooks import services
from webhooks.models import Event, WebhookDelivery
from webhooks.signing import verify

pytestmark = pytest.mark.django_db


def _emit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (made,) = services.event_emit(event=Event.CONTACT_ERASED, data={"identifiers": ["x"]})
    made.refresh_from_db()
    return made


def test_it_posts_the_payload_signed_with_the_endpoint_secret(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    delivery = _emit(django_capture_on_commit_callbacks)

    (request,) = receiver.requests
    headers = request["headers"]
    assert json.loads(request["body"]) == delivery.payload
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Coalition-Event"] == "contact.erased"
    assert verify(
        endpoint.secret,
        request["body"],
        headers["X-Coalition-Signature"],
        headers["X-Coalition-Timestamp"],
    )
    assert abs(int(headers["X-Coalition-Timestamp"]) - time.time()) < 60


def test_an_altered_or_replayed_delivery_fails_verification(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    _emit(django_capture_on_commit_callbacks)
    (request,) = receiver.requests
    signature = request["headers"]["X-Coalition-Signature"]
    timestamp = request["headers"]["X-Coalition-Timestamp"]

    altered = request["body"].replace(b"contact.erased", b"contact.erasee")
    assert not verify(endpoint.secret, altered, signature, timestamp)
    later = int(timestamp) + 6 * 60
    assert not verify(endpoint.secret, request["body"], signature, timestamp, now=later)


def test_a_delivery_is_recorded_with_its_response_code(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.status = 204
    delivery = _emit(django_capture_on_commit_callbacks)

    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.last_response_code == 204
    assert delivery.attempts == 1
    assert delivery.delivered_at is not None
    assert delivery.next_attempt_at is None


def test_a_failing_endpoint_is_retried_with_backoff_then_marked_failed(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.status = 500
    delivery = _emit(django_capture_on_commit_callbacks)
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.last_response_code == 500
    assert delivery.last_error == "The endpoint answered 500."

    delays = [delivery.next_attempt_at - delivery.last_attempt_at]
    while delivery.status == WebhookDelivery.Status.PENDING:
        delivery = deliveries.attempt(delivery.pk, now=delivery.next_attempt_at)
        if delivery.next_attempt_at:
            delays.append(delivery.next_attempt_at - delivery.last_attempt_at)

    minute = datetime.timedelta(minutes=1)
    assert delays[:4] == [minute, 2 * minute, 4 * minute, 8 * minute]
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == len(receiver.requests) == 11
    assert delivery.last_attempt_at - delivery.created_at < datetime.timedelta(days=1)
    assert delivery.next_attempt_at is None


def test_a_delivery_not_yet_due_is_not_sent(endpoint, receiver, django_capture_on_commit_callbacks):
    receiver.status = 500
    delivery = _emit(django_capture_on_commit_callbacks)

    assert (
        deliveries.attempt(delivery.pk, now=delivery.next_attempt_at - datetime.timedelta(1))
        is None
    )
    assert len(receiver.requests) == 1


def test_an_unreachable_endpoint_is_recorded_with_the_error(settings, db):
    settings.WEBHOOKS_ALLOW_HTTP = settings.WEBHOOKS_ALLOW_PRIVATE = True
    services.endpoint_create(url="http://127.0.0.1:9/closed", events=[Event.CONTACT_ERASED])
    (delivery,) = services.event_emit(event=Event.CONTACT_ERASED, data={})

    delivery = deliveries.attempt(delivery.pk)

    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.last_response_code is None
    assert delivery.last_error.startswith("ConnectionRefusedError")


def test_the_command_sends_what_is_due(endpoint, receiver):
    receiver.status = 500
    (delivery,) = services.event_emit(event=Event.CONTACT_ERASED, data={})  # not sent yet

    call_command("deliver_webhooks")
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    call_command("deliver_webhooks")  # its retry is not due yet
    delivery.refresh_from_db()
    assert delivery.attempts == 1

    receiver.status = 200
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    call_command("deliver_webhooks")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, len(receiver.requests)) == ("delivered", 2, 2)


def test_sending_again_makes_a_new_delivery_of_the_same_event(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.status = 500
    failed = _emit(django_capture_on_commit_callbacks)
    WebhookDelivery.objects.filter(pk=failed.pk).update(status="failed", next_attempt_at=None)
    receiver.status = 200

    with django_capture_on_commit_callbacks(execute=True):
        again = services.delivery_send_again(delivery=failed)

    again.refresh_from_db()
    failed.refresh_from_db()
    assert again.status == "delivered" and failed.status == "failed"
    assert again.event_id == failed.event_id and again.payload == failed.payload
    bodies = [json.loads(r["body"]) for r in receiver.requests]
    assert bodies[0] == bodies[1]


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.status = 302  # e.g. Location: http://169.254.169.254/ — never followed
    delivery = _emit(django_capture_on_commit_callbacks)

    assert len(receiver.requests) == 1
    assert (delivery.status, delivery.last_response_code) == ("pending", 302)


def test_the_delivery_connects_to_the_address_that_was_checked(receiver, db):
    """The name is resolved once, by the check; the connection does not ask again, so a
    name that changes its address in between cannot redirect the request."""
    import socket
    from unittest import mock

    port = receiver.server.server_port
    checked = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
    with mock.patch("webhooks.safety.socket.getaddrinfo", return_value=checked):
        services.endpoint_create(
            url=f"http://receiver.invalid:{port}/hook", events=[Event.CONTACT_ERASED]
        )
        (delivery,) = services.event_emit(event=Event.CONTACT_ERASED, data={})
        delivery = deliveries.attempt(delivery.pk)

    assert delivery.status == "delivered"
    assert receiver.requests[0]["headers"]["Host"] == f"receiver.invalid:{port}"
