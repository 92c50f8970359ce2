"""Webhook endpoints (where events are sent) and their deliveries (each event sent to one
endpoint, with its attempts). The rules that change them live in webhooks/services.py."""

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords


class Event(models.TextChoices):
    SIGNATURE_CONFIRMED = "signature.confirmed", "A signature is confirmed"
    SIGNATURE_WITHDRAWN = "signature.withdrawn", "A signature is withdrawn"
    SIGNATURE_VERIFIED = "signature.verified", "An organisation's signature is verified"
    OUTREACH_STAGE_CHANGED = "outreach.stage_changed", "A pipeline entry changes stage"
    CONTACT_ERASED = "contact.erased", "A contact is erased (only the id is sent)"


EVENTS_INVALID = "Choose one or more of the events listed."


def new_secret():
    return secrets.token_urlsafe(32)


class WebhookEndpointQuerySet(models.QuerySet):
    def subscribed_to(self, event):
        # JSON containment is not on SQLite: the few endpoints are filtered in Python.
        return [e for e in self.filter(active=True) if event in e.events]


class WebhookEndpoint(models.Model):
    url = models.URLField("URL", max_length=500)
    events = models.JSONField(default=list, help_text="Event names, from Event.")
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    description = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The secret stays out of the history: a copy there would outlive its rotation.
    history = HistoricalRecords(excluded_fields=["secret", "created_at", "updated_at"])

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["url", "pk"]

    def __str__(self):
        return self.description or self.url

    def get_absolute_url(self):
        return reverse("webhooks:endpoint-detail", kwargs={"pk": self.pk})

    def clean(self):
        unknown = [name for name in self.events if name not in Event.values]
        if not self.events or unknown:
            raise ValidationError({"events": EVENTS_INVALID}, code="events")

    def get_events_display(self):
        labels = dict(Event.choices)
        return [labels.get(name, name) for name in self.events]


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=Event.choices)
    # The event's id: the same in a delivery sent again, so a receiver can drop duplicates.
    event_id = models.UUIDField(default=uuid.uuid4)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due_idx")]

    def __str__(self):
        return f"{self.event} → {self.endpoint.url} ({self.get_status_display()})"
