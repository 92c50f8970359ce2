"""How each record reads in OSDI: the field mapping of docs/interop.md, in code.

Fields OSDI has no name for are extensions prefixed `coalition:`. Each function reads
only the row it is given and what its queryset selected (see api.py), so a page costs
the same number of queries whatever its size.
"""

from django.urls import reverse

from osdi.hal import ORIGIN_SYSTEM, identifiers, iso, link
from outreach.models import Signature


def _dates(row):
    return {"created_date": iso(row.created_at), "modified_date": iso(row.updated_at)}


def person(contact, request, *, details=True):
    """A contact as an OSDI person. Without `details` (a list read by a role that may
    not list contact details) there are no e-mail addresses or phone numbers."""
    data = {
        "identifiers": identifiers(contact.pk),
        "origin_system": ORIGIN_SYSTEM,
        **_dates(contact),
        "given_name": contact.first_name,
        "family_name": contact.last_name,
        "languages_spoken": [contact.preferred_language] if contact.preferred_language else [],
        "postal_addresses": (
            [{"primary": True, "country": contact.country.code}] if contact.country else []
        ),
        "coalition:do_not_contact": contact.do_not_contact,
        "coalition:erased_date": iso(contact.erased_at),
    }
    if details:
        data["email_addresses"] = (
            [{"primary": True, "address": contact.email}] if contact.email else []
        )
        data["phone_numbers"] = (
            [{"primary": True, "number": str(contact.phone)}] if contact.phone else []
        )
    data["_links"] = {
        "self": link(request, "person-detail", contact.pk),
        "osdi:signatures": link(request, "person-signatures", contact.pk),
    }
    return data


def petition(ask, request):
    """An ask that collects signatures. `total_signatures` counts what the public page
    counts (confirmed, verified when it had to be): the queryset annotates it."""
    data = {
        "identifiers": identifiers(ask.pk),
        "origin_system": ORIGIN_SYSTEM,
        **_dates(ask),
        "title": ask.title,
        "name": ask.slug,
        "description": ask.campaign.description,
        "petition_text": ask.statement,
        "total_signatures": ask.total_signatures,
        "coalition:campaign": ask.campaign.name,
        "coalition:signers": ask.signers,
        "coalition:target_count": ask.target_count,
        "coalition:opens_on": ask.opens_on.isoformat() if ask.opens_on else None,
        "coalition:closes_on": ask.closes_on.isoformat() if ask.closes_on else None,
        "coalition:published": ask.is_published,
    }
    links = {
        "self": link(request, "petition-detail", ask.pk),
        "osdi:signatures": link(request, "petition-signatures", ask.pk),
        "osdi:record_signature_helper": link(request, "petition-signatures", ask.pk),
    }
    if ask.has_public_pages:
        data["browser_url"] = request.build_absolute_uri(ask.get_public_url())
    data["_links"] = links
    return data


def organisation(row, request):
    """The extension for the organisation a signature is given by: OSDI links
    signatures only to people."""
    if row is None:
        return None
    return {
        "identifiers": identifiers(row.pk),
        "name": row.name,
        "country": row.country.code if row.country else "",
        "website": row.website,
    }


def signature(row, request):
    data = {
        "identifiers": identifiers(row.pk),
        "origin_system": ORIGIN_SYSTEM,
        **_dates(row),
        "action_date": iso(row.signed_at),
        "referrer_data": {"source": row.source},
        "coalition:status": row.status,
        "coalition:counted": row.status == Signature.Status.CONFIRMED
        and not row.awaiting_verification,
        "coalition:public": row.is_listed,
        "coalition:display_name": row.display_name,
        "coalition:country": row.country.code if row.country else "",
        "coalition:organisation": organisation(row.organisation, request),
    }
    links = {
        "self": link(request, "signature-detail", row.ask_id, row.pk),
        "osdi:petition": link(request, "petition-detail", row.ask_id),
    }
    if row.contact_id:
        links["osdi:person"] = link(request, "person-detail", row.contact_id)
    if row.organisation_id:
        href = reverse("organisation-detail", args=[row.organisation_id])
        links["coalition:organisation"] = {"href": request.build_absolute_uri(href)}
    data["_links"] = links
    return data


def tag(row, request):
    """Tags keep no dates, so they have none here (and cannot be filtered by them)."""
    return {
        "identifiers": identifiers(row.pk),
        "origin_system": ORIGIN_SYSTEM,
        "name": row.name,
        "coalition:kind": row.kind,
        "_links": {
            "self": link(request, "tag-detail", row.pk),
            "osdi:taggings": link(request, "tag-taggings", row.pk),
        },
    }


def tagging(row, request):
    """A person's tag (a row of crm.Contact.tags)."""
    return {
        "identifiers": identifiers(row.pk),
        "origin_system": ORIGIN_SYSTEM,
        "item_type": "osdi:person",
        "_links": {
            "self": link(request, "tagging-detail", row.tag_id, row.pk),
            "osdi:tag": link(request, "tag-detail", row.tag_id),
            "osdi:person": link(request, "person-detail", row.contact_id),
        },
    }
