"""Operations on organisations, contacts, affiliations and tags. Views, the API and
imports call these so every change names who made it in the audit trail."""

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from crm.history import attribute
from crm.models import (
    Affiliation,
    ConsentRecord,
    Contact,
    MergedRecord,
    NotDuplicate,
    Organisation,
)
from outreach.rollups import rollup_tracked
from outreach.signature_cache import signatures_changed


def _save(instance, by, m2m):
    instance.full_clean()
    attribute(instance, by)
    instance.save()
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    return instance


@transaction.atomic
def organisation_save(*, organisation, by=None, m2m=None):
    """Validate and save a new or changed organisation, then set its many-to-many
    relations (`m2m`, e.g. {"tags": [...], "member_of": [...]}). Raises ValidationError
    with the field at fault; nothing is saved then."""
    return _save(organisation, by, m2m)


@transaction.atomic
def contact_save(*, contact, by=None, m2m=None):
    """Validate and save a new or changed contact (see organisation_save)."""
    return _save(contact, by, m2m)


@transaction.atomic
def contact_set_do_not_contact(*, contact, do_not_contact=True, by=None):
    """Mark (or unmark) a person as never to be e-mailed or called about an ask."""
    if contact.do_not_contact == do_not_contact:
        return contact
    contact.do_not_contact = do_not_contact
    attribute(contact, by)
    contact.save(update_fields=["do_not_contact", "updated_at"])
    return contact


@transaction.atomic
def affiliation_save(*, affiliation, by=None):
    """Validate and save an affiliation. Making it primary takes the flag off the
    contact's other primary affiliation in the same transaction."""
    affiliation.full_clean(validate_constraints=False)
    if affiliation.is_primary:
        for other in Affiliation.objects.filter(
            contact=affiliation.contact_id, is_primary=True
        ).exclude(pk=affiliation.pk):
            other.is_primary = False
            attribute(other, by)
            other.save(update_fields=["is_primary"])
    affiliation.validate_constraints()
    attribute(affiliation, by)
    affiliation.save()
    return affiliation


def _tag_through(model):
    return model.tags.through, f"{model._meta.model_name}_id"


TAG_ADDED = "Tag “{tag}” added"
TAG_REMOVED = "Tag “{tag}” removed"


def _record_tag_change(model, rows, by, reason):
    """One history row per record, written in bulk: the record's page names who tagged
    it and when (the history's reason), in a fixed number of queries."""
    model.history.bulk_history_create(
        rows,
        batch_size=1000,
        update=True,
        default_user=by,
        default_change_reason=reason[:100],
        default_date=timezone.now(),
    )


@transaction.atomic
def tag_add(*, tag, model, ids, by):
    """Tag the `model` rows (Organisation or Contact) whose primary keys are `ids` (a
    list or a values("pk") queryset). Rows already tagged are left alone; each newly
    tagged one gets a history entry naming `by` (TAG_ADDED). Returns how many rows were
    newly tagged."""
    through, link = _tag_through(model)
    already = set(
        through.objects.filter(tag=tag, **{f"{link}__in": ids}).values_list(link, flat=True)
    )
    rows = [row for row in model.objects.filter(pk__in=ids).order_by("pk") if row.pk not in already]
    new = [through(tag=tag, **{link: row.pk}) for row in rows]
    through.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    _record_tag_change(model, rows, by, TAG_ADDED.format(tag=tag))
    signatures_changed(everything=True)  # cause tags make the reports' breakdowns
    return len(new)


@transaction.atomic
def tag_remove(*, tag, model, ids, by):
    """Take `tag` off the `model` rows whose primary keys are `ids`; each one that lost
    it gets a history entry naming `by` (TAG_REMOVED). Returns how many rows lost it."""
    through, link = _tag_through(model)
    rows = list(model.objects.filter(pk__in=ids, tags=tag).order_by("pk"))
    through.objects.filter(tag=tag, **{f"{link}__in": [row.pk for row in rows]}).delete()
    _record_tag_change(model, rows, by, TAG_REMOVED.format(tag=tag))
    signatures_changed(everything=True)
    return len(rows)


WITHDRAWN_IS_KEPT = "A withdrawn consent is kept as it was; record a new one instead."


@transaction.atomic
def consent_give(*, consent, by=None):
    """Record a consent given (purpose, lawful basis, source, text version), validated
    first. Raises ValidationError naming the field at fault; nothing is saved then."""
    consent.withdrawn_at = None
    consent.full_clean()
    attribute(consent, by)
    consent.save()
    return consent


@transaction.atomic
def consent_withdraw(*, consent, by=None, at=None):
    """Mark a consent withdrawn now (or `at`). Withdrawing twice changes nothing. An
    outreach consent withdrawn stops pipeline e-mails to the person (outreach.emails);
    a consent to public listing withdrawn takes the signatures it covered, and the
    person's individual signatures, off public lists (with the reason in their history)."""
    consent = ConsentRecord.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        return consent
    consent.withdrawn_at = max(at or timezone.now(), consent.given_at)
    attribute(consent, by)
    consent.save(update_fields=["withdrawn_at"])
    if consent.purpose == ConsentRecord.Purpose.PUBLIC_LISTING:
        _delist_signatures_of(consent, by)
    return consent


LISTING_CONSENT_WITHDRAWN = "Consent to public listing withdrawn"


def _delist_signatures_of(consent, by):
    from django.db.models import Q

    from outreach.models import Signature
    from outreach.services import signature_change_listing

    listed = Signature.objects.filter(
        Q(listing_consent=consent) | Q(contact=consent.contact_id, organisation=None),
        public=True,
    )
    for signature in listed:
        signature_change_listing(
            signature=signature,
            display_name=signature.display_name,
            public=False,
            by=by,
            reason=LISTING_CONSENT_WITHDRAWN,
        )


STOPPED_BY_LINK = "Stop e-mails link in a message"


@transaction.atomic
def consent_stop_outreach(*, contact, source=STOPPED_BY_LINK):
    """The person asks for no more outreach e-mails: their standing outreach consents
    are withdrawn; without one, an objection is recorded (legitimate interest since
    they were added, withdrawn now), which stops the e-mails all the same. Returns the
    latest outreach consent record."""
    now = timezone.now()
    records = ConsentRecord.objects.select_for_update().filter(
        contact=contact, purpose=ConsentRecord.Purpose.OUTREACH
    )
    standing = list(records.filter(withdrawn_at=None))
    for consent in standing:
        consent_withdraw(consent=consent, at=now)
    latest = records.order_by("-given_at", "-pk").first()
    if latest is None or latest.withdrawn_at is None:
        latest = ConsentRecord.objects.create(
            contact=contact,
            purpose=ConsentRecord.Purpose.OUTREACH,
            lawful_basis=ConsentRecord.LawfulBasis.LEGITIMATE_INTEREST,
            given_at=min(contact.created_at, now),
            withdrawn_at=now,
            source=source,
        )
    return latest


# --- merging duplicates ---------------------------------------------------------------------

MERGE_SAME_RECORD = "A record cannot be merged into itself."
MERGE_UNKNOWN_FIELD = "“{field}” cannot be chosen when merging."

# Which of two pipeline entries for the same ask is kept when two records merge: the
# one further along, in this order. A signature (even a withdrawn one) is the strongest
# fact; then an answer (declined); then how far the asking went.
STAGE_PRECEDENCE = [
    "signed",
    "withdrawn",
    "declined",
    "no_response",
    "followed_up",
    "invited",
    "prospect",
]

# The fields staff choose between when merging; notes are combined unless one is chosen.
CONTACT_MERGE_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "preferred_language",
    "country",
    "expertise",
    "notes",
]
ORGANISATION_MERGE_FIELDS = [
    "name",
    "acronym",
    "kind",
    "country",
    "city",
    "website",
    "email",
    "notes",
]


def stage_rank(stage):
    """Lower is further along (see STAGE_PRECEDENCE)."""
    return STAGE_PRECEDENCE.index(stage)


@dataclass
class MergeResult:
    survivor: object
    merged_id: int
    moved: dict  # {"affiliations": 2, ...}: rows moved or settled per table


def _combined_notes(a, b):
    a, b = (a or "").strip(), (b or "").strip()
    if not b or b in a:
        return a
    if not a or a in b:
        return b
    return f"{a}\n\n{b}"


def _merge_values(survivor, merged, fields, values):
    """The survivor's fields after the merge: the chosen side per field ("survivor",
    "merged" or, for notes, "both"); unchosen fields keep the survivor's value unless
    it is empty."""
    values = values or {}
    for name in values:
        if name not in fields:
            raise ValidationError(MERGE_UNKNOWN_FIELD.format(field=name))
    for name in fields:
        mine, theirs = getattr(survivor, name), getattr(merged, name)
        choice = values.get(name, "both" if name == "notes" else "")
        if choice == "merged" or (not choice and not mine):
            setattr(survivor, name, theirs)
        elif choice == "both":
            setattr(survivor, name, _combined_notes(mine, theirs))


def _settle_outreach(entries_by_ask, incoming, link, survivor, moved, by):
    """Move `incoming` pipeline entries to the survivor; where the survivor already has an
    entry for the ask, keep the one further along and give it the other's activities."""
    from outreach.models import Activity

    for entry in incoming:
        mine = entries_by_ask.get(entry.ask_id)
        if mine is None:
            setattr(entry, link, survivor)
            attribute(entry, by)
            entry.save(update_fields=[link, "updated_at"])
            moved["outreach"] += 1
            continue
        keep, drop = (
            (entry, mine) if stage_rank(entry.stage) < stage_rank(mine.stage) else (mine, entry)
        )
        moved["activities"] += Activity.objects.filter(outreach=drop).update(outreach=keep)
        keep.follow_up_count = max(keep.follow_up_count, drop.follow_up_count)
        invited = [at for at in (keep.invited_at, drop.invited_at) if at]
        keep.invited_at = min(invited) if invited else None
        keep.notes = _combined_notes(keep.notes, drop.notes)
        keep.contact = keep.contact or drop.contact
        attribute(drop, by)
        drop._change_reason = f"Merged into outreach #{keep.pk}"
        drop.delete()
        setattr(keep, link, survivor)
        attribute(keep, by)
        keep._change_reason = "Merged duplicate records"
        keep.save()
        moved["outreach_combined"] += 1


def _settle_signatures(signatures, survivor_live, link, survivor, moved, by):
    """Move signatures; where both signed the same ask, the earlier signature stays live
    and the later one is rejected as a duplicate (kept, not deleted)."""
    from outreach.models import Signature

    for signature in signatures:
        mine = survivor_live.get(signature.ask_id) if signature.is_live else None
        if mine is not None:
            earlier = signature.signed_at < mine.signed_at
            keep, drop = (signature, mine) if earlier else (mine, signature)
            # The one-live-signature constraint: take the later one out of the live set
            # before the other joins the survivor.
            drop.status = Signature.Status.REJECTED
            drop.status_reason = f"Duplicate of signature #{keep.pk} (records merged)"
            attribute(drop, by)
            drop._change_reason = "Duplicate after merge"
            drop.save(update_fields=["status", "status_reason", "updated_at"])
            moved["signatures_combined"] += 1
            survivor_live[signature.ask_id] = keep
        setattr(signature, link, survivor)
        attribute(signature, by)
        signature._change_reason = "Merged duplicate records"
        signature.save(update_fields=[link, "updated_at"])
        moved["signatures"] += 1


def _move_remaining(model, survivor, merged, handled, moved):
    """Any other foreign key to the merged record (added by a later feature) follows it."""
    for relation in model._meta.related_objects:
        if relation.many_to_many or relation.related_model._meta.app_label not in {
            "crm",
            "outreach",
            "accounts",
        }:
            continue
        if relation.related_name in handled or not relation.field.db_constraint:
            continue
        count = relation.related_model._default_manager.filter(
            **{relation.field.name: merged}
        ).update(**{relation.field.name: survivor})
        if count:
            moved[relation.related_model._meta.model_name] += count


def _record_merge(kind, survivor, merged, by, moved, **remembered):
    from outreach.models import Activity

    signatures_changed(everything=True)  # signatures changed hands, some by bulk updates
    MergedRecord.objects.filter(kind=kind, survivor_id=merged.pk).update(survivor_id=survivor.pk)
    MergedRecord.objects.create(
        kind=kind,
        old_id=merged.pk,
        survivor_id=survivor.pk,
        old_label=str(merged)[:300],
        merged_by=by,
        **remembered,
    )
    NotDuplicate.objects.filter(kind=kind).filter(
        Q(first_id=merged.pk) | Q(second_id=merged.pk)
    ).delete()
    details = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in sorted(moved.items()) if n)
    Activity.objects.create(
        kind=Activity.Kind.NOTE,
        actor=by,
        **{kind: survivor},
        summary=f"Merged “{merged}” (#{merged.pk}) into this record"
        + (f": {details}." if details else "."),
    )


def _check_pair(survivor, merged):
    if survivor.pk == merged.pk:
        raise ValidationError(MERGE_SAME_RECORD)


def _fold_affiliation_into(existing, other):
    """Two affiliations between one person and one organisation become one: the filled-in
    role, the earliest start, the latest end (none when either is ongoing)."""
    existing.role = existing.role or other.role
    starts = [d for d in (existing.started_on, other.started_on) if d]
    existing.started_on = min(starts) if starts else None
    ends = (existing.ended_on, other.ended_on)
    existing.ended_on = None if None in ends else max(ends)


@transaction.atomic
def contact_merge(*, survivor, merged, values=None, by=None):
    """Merge the contact `merged` into `survivor` and delete `merged`.

    Moves every row about the person: affiliations (one per organisation: roles and
    dates combined), consent records, pipeline entries (two for the same ask: the one
    further along is kept, with both timelines), signatures (both signed the same ask:
    the earlier stays, the later is rejected as a duplicate), activities and tags.
    `values` chooses per field which side to keep ({"email": "merged"}); do-not-contact
    is kept if either had it. Remembers the old id and e-mail (MergedRecord) so links and
    imports resolve to the survivor, and writes an audit entry and an activity note.
    Raises ValidationError (same record, unknown field, invalid result); nothing is
    saved then. Returns a MergeResult."""
    from outreach.models import Outreach, Signature

    _check_pair(survivor, merged)
    survivor = Contact.objects.select_for_update().get(pk=survivor.pk)
    merged = Contact.objects.select_for_update().get(pk=merged.pk)
    moved = Counter()

    mine = {a.organisation_id: a for a in survivor.affiliations.all()}
    has_primary = any(a.is_primary for a in mine.values())
    for affiliation in merged.affiliations.all():
        existing = mine.get(affiliation.organisation_id)
        if existing is None:
            affiliation.contact = survivor
            if affiliation.is_primary and has_primary:
                affiliation.is_primary = False
            has_primary = has_primary or affiliation.is_primary
            attribute(affiliation, by)
            affiliation.save()
            moved["affiliations"] += 1
            continue
        _fold_affiliation_into(existing, affiliation)
        attribute(existing, by)
        existing.save()
        affiliation.delete()
        moved["affiliations_combined"] += 1

    moved["consent records"] += merged.consents.update(contact=survivor)

    individual = Outreach.objects.filter(organisation__isnull=True)
    _settle_outreach(
        {o.ask_id: o for o in individual.filter(contact=survivor)},
        list(individual.filter(contact=merged)),
        "contact",
        survivor,
        moved,
        by,
    )
    # As an organisation's contact person: no uniqueness at stake.
    for entry in Outreach.objects.filter(contact=merged):
        entry.contact = survivor
        attribute(entry, by)
        entry.save(update_fields=["contact", "updated_at"])
        moved["outreach"] += 1

    with rollup_tracked(Signature.objects.filter(contact__in=[survivor, merged])):
        individual_signatures = Signature.objects.filter(organisation__isnull=True)
        _settle_signatures(
            list(individual_signatures.filter(contact=merged).order_by("pk")),
            {s.ask_id: s for s in individual_signatures.filter(contact=survivor).live()},
            "contact",
            survivor,
            moved,
            by,
        )
        for signature in Signature.objects.filter(contact=merged):  # signed for an organisation
            signature.contact = survivor
            attribute(signature, by)
            signature.save(update_fields=["contact", "updated_at"])
            moved["signatures"] += 1
    moved["activities"] += merged.activities.update(contact=survivor)
    tags = list(merged.tags.all())
    survivor.tags.add(*tags)
    moved["tags"] += len(tags)
    handled = {"affiliations", "consents", "outreach", "signatures", "activities"}
    _move_remaining(Contact, survivor, merged, handled, moved)

    _merge_values(survivor, merged, CONTACT_MERGE_FIELDS, values)
    survivor.do_not_contact = survivor.do_not_contact or merged.do_not_contact
    old_email = merged.email
    merged_id, label = merged.pk, str(merged)
    attribute(merged, by)
    merged._change_reason = f"Merged into contact #{survivor.pk}"
    merged.delete()  # before the survivor takes over its e-mail
    merged.pk = merged_id
    survivor.full_clean()
    attribute(survivor, by)
    survivor._change_reason = f"Merged with contact #{merged_id} ({label})"[:100]
    survivor.save()
    _record_merge(MergedRecord.Kind.CONTACT, survivor, merged, by, moved, email=old_email)
    return MergeResult(survivor=survivor, merged_id=merged_id, moved=dict(moved))


@transaction.atomic
def organisation_merge(*, survivor, merged, values=None, by=None):
    """Merge the organisation `merged` into `survivor` and delete `merged`.

    Moves affiliations (one per person: roles and dates combined), pipeline entries (two
    for the same ask: the one further along is kept, with both timelines), signatures
    (both signed the same ask: the earlier stays, the later is rejected as a duplicate),
    activities, tags and network memberships in both directions. `values` chooses per
    field which side to keep. Remembers the old id, names and domain (MergedRecord) so
    links and imports resolve to the survivor; writes an audit entry and an activity
    note. Raises ValidationError; nothing is saved then. Returns a MergeResult."""
    from crm.duplicates import organisation_keys
    from outreach.models import Outreach, Signature

    _check_pair(survivor, merged)
    survivor = Organisation.objects.select_for_update().get(pk=survivor.pk)
    merged = Organisation.objects.select_for_update().get(pk=merged.pk)
    moved = Counter()

    mine = {a.contact_id: a for a in survivor.affiliations.all()}
    for affiliation in merged.affiliations.all():
        existing = mine.get(affiliation.contact_id)
        if existing is None:
            affiliation.organisation = survivor
            attribute(affiliation, by)
            affiliation.save()
            moved["affiliations"] += 1
            continue
        _fold_affiliation_into(existing, affiliation)
        primary = affiliation.is_primary and not existing.is_primary
        affiliation.delete()  # first: the contact may hold one primary affiliation only
        existing.is_primary = existing.is_primary or primary
        attribute(existing, by)
        existing.save()
        moved["affiliations_combined"] += 1

    _settle_outreach(
        {o.ask_id: o for o in Outreach.objects.filter(organisation=survivor)},
        list(Outreach.objects.filter(organisation=merged)),
        "organisation",
        survivor,
        moved,
        by,
    )
    with rollup_tracked(Signature.objects.filter(organisation__in=[survivor, merged])):
        _settle_signatures(
            list(Signature.objects.filter(organisation=merged).order_by("pk")),
            {s.ask_id: s for s in Signature.objects.filter(organisation=survivor).live()},
            "organisation",
            survivor,
            moved,
            by,
        )
    moved["activities"] += merged.activities.update(organisation=survivor)
    tags = list(merged.tags.all())
    survivor.tags.add(*tags)
    moved["tags"] += len(tags)
    networks = [o for o in merged.member_of.all() if o.pk != survivor.pk]
    members = [o for o in merged.members.all() if o.pk != survivor.pk]
    survivor.member_of.add(*networks)
    survivor.members.add(*members)
    moved["memberships"] += len(networks) + len(members)
    handled = {"affiliations", "outreach", "signatures", "activities", "members"}
    _move_remaining(Organisation, survivor, merged, handled, moved)

    _merge_values(survivor, merged, ORGANISATION_MERGE_FIELDS, values)
    key, short = organisation_keys(merged.name, merged.acronym)
    merged_id, label = merged.pk, str(merged)
    attribute(merged, by)
    merged._change_reason = f"Merged into organisation #{survivor.pk}"
    merged.delete()
    merged.pk = merged_id
    survivor.full_clean()
    attribute(survivor, by)
    survivor._change_reason = f"Merged with organisation #{merged_id} ({label})"[:100]
    survivor.save()
    _record_merge(
        MergedRecord.Kind.ORGANISATION,
        survivor,
        merged,
        by,
        moved,
        name_keys=sorted({key, *short} - {""}),
        domain=merged.domain,
    )
    return MergeResult(survivor=survivor, merged_id=merged_id, moved=dict(moved))


@transaction.atomic
def duplicate_dismiss(*, kind, first_id, second_id, by=None):
    """Remember that two records are not the same: the finder never suggests them again."""
    first_id, second_id = sorted((int(first_id), int(second_id)))
    if first_id == second_id:
        raise ValidationError(MERGE_SAME_RECORD)
    decision, _ = NotDuplicate.objects.get_or_create(
        kind=kind, first_id=first_id, second_id=second_id, defaults={"decided_by": by}
    )
    return decision
