"""The JSON each event sends, in a shape close to OSDI's (docs/webhooks.md).

Payloads carry ids, states and dates, never a person's name, e-mail or phone: a receiver
that needs more reads it through the API with its own token, under its role's rules.
So what a signatory did not agree to publish does not leave in a webhook, and an erased
person's details are not left behind in delivery records or receivers' logs.
"""

from django.urls import reverse
from django.utils import timezone


def _iso(moment):
    return moment.isoformat() if moment else None


def _ref(kind, pk, route):
    if pk is None:
        return None
    return {
        "identifiers": [f"coalition:{kind}:{pk}"],
        "_links": {"self": {"href": reverse(route, kwargs={"pk": pk})}},
    }


def envelope(*, event, event_id, data, at=None):
    return {
        "id": str(event_id),
        "event": event,
        "created_date": _iso(at or timezone.now()),
        "data": data,
    }


def signature(signature):
    """osdi:signature, with the signing organisation as an extension."""
    counted = signature.status == "confirmed" and not signature.awaiting_verification
    return {
        **_ref("signature", signature.pk, "signature-detail"),
        "status": signature.status,
        "counted": counted,
        "source": signature.source,
        "action_date": _iso(signature.signed_at),
        "created_date": _iso(signature.created_at),
        "modified_date": _iso(signature.updated_at),
        "petition": _ref("ask", signature.ask_id, "ask-detail"),
        "person": _ref("contact", signature.contact_id, "contact-detail"),
        "coalition:organisation": _ref(
            "organisation", signature.organisation_id, "organisation-detail"
        ),
    }


def stage_change(outreach, *, from_stage, to_stage, at):
    return {
        **_ref("outreach", outreach.pk, "outreach-detail"),
        "from_stage": str(from_stage),
        "to_stage": str(to_stage),
        "action_date": _iso(at),
        "petition": _ref("ask", outreach.ask_id, "ask-detail"),
        "person": _ref("contact", outreach.contact_id, "contact-detail"),
        "coalition:organisation": _ref(
            "organisation", outreach.organisation_id, "organisation-detail"
        ),
    }


def erasure(contact_id):
    """Only the id: the receiver deletes what it holds under it."""
    return {"identifiers": [f"coalition:contact:{contact_id}"]}
