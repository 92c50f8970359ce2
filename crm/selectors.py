"""Reads used by the staff pages: a fixed number of queries whatever the data size."""

from difflib import SequenceMatcher

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Prefetch, Q, Subquery

from crm.models import Affiliation, Contact, Organisation
from crm.search import filter_by_search, fold
from outreach.models import Activity, Ask, Outreach, Stage

# How alike two folded full names must be to warn about a possible duplicate.
SIMILAR_NAME_RATIO = 0.85


def contact_list_queryset():
    return Contact.objects.prefetch_related(
        "tags",
        Prefetch(
            "affiliations",
            queryset=Affiliation.objects.current()
            .filter(is_primary=True)
            .select_related("organisation"),
            to_attr="primary_affiliations",
        ),
    )


def organisation_list_queryset():
    return Organisation.objects.prefetch_related("tags")


def contacts_like(*, first_name="", last_name="", email="", exclude_pk=None, limit=5):
    """Contacts that may be the person being entered: the same e-mail, or a name that
    folds to something very close. Returns (same_email_contact or None, [similar])."""
    others = Contact.objects.exclude(pk=exclude_pk) if exclude_pk else Contact.objects.all()
    same_email = others.filter(email=email).first() if email else None
    name = fold(f"{first_name} {last_name}")
    similar = []
    if name:
        words = [w for w in name.split() if len(w) > 1] or name.split()
        candidates = others.filter(
            Q(*[Q(search_text__has=w) for w in words], _connector=Q.OR)
        ).order_by("pk")[:200]
        for contact in candidates:
            ratio = SequenceMatcher(None, name, fold(contact.full_name)).ratio()
            if ratio >= SIMILAR_NAME_RATIO and contact != same_email:
                similar.append(contact)
            if len(similar) == limit:
                break
    return same_email, similar


def _invited_by():
    """The person who first invited the entry's partner (an invitation activity or a
    move to "invited"), as a subquery on Outreach."""
    return Subquery(
        Activity.objects.filter(outreach=OuterRef("pk"))
        .filter(Q(kind=Activity.Kind.INVITATION) | Q(to_stage=Stage.INVITED))
        .order_by("occurred_at", "pk")
        .values("actor_id")[:1]
    )


def _with_inviters(entries):
    entries = list(entries)
    ids = {entry.invited_by_id for entry in entries if entry.invited_by_id}
    users = get_user_model().objects.in_bulk(ids)
    for entry in entries:
        entry.invited_by = users.get(entry.invited_by_id) or entry.owner
    return entries


def outreach_history(**target):
    """Pipeline entries of an organisation or a person across asks, newest ask first,
    each with `invited_by` (who sent the first invitation, else the owner)."""
    entries = (
        Outreach.objects.filter(**target)
        .select_related("ask", "ask__campaign", "owner", "contact", "organisation")
        .annotate(invited_by_id=_invited_by())
        .order_by("-ask__opens_on", "-created_at")
    )
    return _with_inviters(entries)


def recent_activities(limit=30, **about):
    return list(
        Activity.objects.filter(**about)
        .select_related("actor", "outreach__ask")
        .order_by("-occurred_at", "-pk")[:limit]
    )


def organisation_page(organisation):
    """Everything the organisation page shows, read in a handful of queries."""
    affiliations = list(
        organisation.affiliations.select_related("contact").order_by(
            "-is_primary", "contact__last_name", "contact__first_name"
        )
    )
    return {
        "current_affiliations": [a for a in affiliations if a.is_current],
        "past_affiliations": [a for a in affiliations if not a.is_current],
        "networks": list(organisation.member_of.order_by("name")),
        "members": list(organisation.members.order_by("name")),
        "outreach": outreach_history(organisation=organisation),
        "signatures": list(organisation.signatures.select_related("ask", "contact")),
        "activities": recent_activities(organisation=organisation),
    }


def contact_page(contact):
    affiliations = list(contact.affiliations.select_related("organisation"))
    return {
        "current_affiliations": [a for a in affiliations if a.is_current],
        "past_affiliations": [a for a in affiliations if not a.is_current],
        "consents": list(contact.consents.all()),
        "outreach": outreach_history(contact=contact),
        "signatures": list(contact.signatures.select_related("ask", "organisation")),
        "activities": recent_activities(contact=contact),
    }


def global_search(query, limit=5):
    """What the header search shows as you type: organisations, contacts and asks."""
    if not fold(query):
        return {"organisations": [], "contacts": [], "asks": []}
    organisations = filter_by_search(Organisation.objects.all(), query)[:limit]
    contacts = filter_by_search(Contact.objects.all(), query)[:limit]
    # Asks are few: fold their titles here rather than keep a search column for them.
    words = fold(query).split()
    asks = [
        ask
        for ask in Ask.objects.only("pk", "title", "slug").order_by("-opens_on", "title")[:500]
        if all(word in fold(ask.title) for word in words)
    ][:limit]
    return {"organisations": list(organisations), "contacts": list(contacts), "asks": asks}
