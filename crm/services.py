"""Operations on organisations, contacts, affiliations and tags. Views, the API and
imports call these so every change names who made it in the audit trail."""

from django.db import transaction
from django.utils import timezone

from crm.models import Affiliation, ConsentRecord


def _attribute(instance, user):
    if user is not None:
        instance._history_user = user


def _save(instance, by, m2m):
    instance.full_clean()
    _attribute(instance, by)
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
    _attribute(contact, by)
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
            _attribute(other, by)
            other.save(update_fields=["is_primary"])
    affiliation.validate_constraints()
    _attribute(affiliation, by)
    affiliation.save()
    return affiliation


def _tag_through(model):
    return model.tags.through, f"{model._meta.model_name}_id"


@transaction.atomic
def tag_add(*, tag, model, ids):
    """Tag the `model` rows (Organisation or Contact) whose primary keys are `ids` (a
    list or a values("pk") queryset). Rows already tagged are left alone. Returns how
    many rows were newly tagged."""
    through, link = _tag_through(model)
    already = set(
        through.objects.filter(tag=tag, **{f"{link}__in": ids}).values_list(link, flat=True)
    )
    wanted = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
    new = [through(tag=tag, **{link: pk}) for pk in sorted(wanted - already)]
    through.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def tag_remove(*, tag, model, ids):
    """Take `tag` off the `model` rows whose primary keys are `ids`. Returns how many
    rows lost it."""
    through, link = _tag_through(model)
    deleted, _ = through.objects.filter(tag=tag, **{f"{link}__in": ids}).delete()
    return deleted


@transaction.atomic
def consent_give(*, consent, by=None):
    """Record a consent given (purpose, lawful basis, source, text version), validated
    first. Raises ValidationError naming the field at fault; nothing is saved then."""
    consent.withdrawn_at = None
    consent.full_clean()
    _attribute(consent, by)
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
    _attribute(consent, by)
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
