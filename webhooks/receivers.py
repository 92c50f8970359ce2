"""The core apps' signals, turned into webhook events (connected in WebhooksConfig.ready).

Signals, not a registry of callbacks in crm/outreach: the services already announce
what happened at the one place it happens, the core apps import nothing of this app,
and other listeners can subscribe the same way."""

from crm import signals as crm_signals
from outreach import signals as outreach_signals
from webhooks import payloads
from webhooks.models import Event
from webhooks.services import event_emit


def _signature_event(event):
    def receive(sender, signature, **kwargs):
        event_emit(event=event, data=payloads.signature(signature))

    return receive


def _stage_changed(sender, outreach, from_stage, to_stage, at, **kwargs):
    data = payloads.stage_change(outreach, from_stage=from_stage, to_stage=to_stage, at=at)
    event_emit(event=Event.OUTREACH_STAGE_CHANGED, data=data, at=at)


def _contact_erased(sender, contact_id, **kwargs):
    event_emit(event=Event.CONTACT_ERASED, data=payloads.erasure(contact_id))


_CONNECTIONS = [
    (outreach_signals.signature_confirmed, _signature_event(Event.SIGNATURE_CONFIRMED)),
    (outreach_signals.signature_withdrawn, _signature_event(Event.SIGNATURE_WITHDRAWN)),
    (outreach_signals.signature_verified, _signature_event(Event.SIGNATURE_VERIFIED)),
    (outreach_signals.outreach_stage_changed, _stage_changed),
    (crm_signals.contact_erased, _contact_erased),
]


def connect():
    for signal, receiver in _CONNECTIONS:
        signal.connect(receiver, dispatch_uid=f"webhooks-{id(signal)}")
