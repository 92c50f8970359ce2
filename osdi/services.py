"""The record signature helper's rules: who the signer is, whether the petition takes
their signature, what is listed and what is kept. Signatures themselves are recorded by
outreach's services, the ones the staff API and the public form use."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.models import ConsentRecord, Contact, Tag
from crm.privacy import is_suppressed, suppression_note_matches
from crm.services import consent_give, contact_save, tag_add
from crm.text import normalise_email, normalise_name
from outreach.emails import signature_submit_and_email
from outreach.models import Signature
from outreach.privacy import PRIVACY_NOTICE_VERSION, privacy_notice_text
from outreach.services import (
    ASK_NOT_OPEN,
    SignOn,
    matching_outreach,
    outreach_log_activity,
    signature_record,
)

SUPPRESSED_EMAIL = (
    "This e-mail belongs to a person whose data was erased on request: the API does not "
    "add them again. Send the signature with double opt-in instead "
    '("coalition:double_opt_in": true): they confirm by e-mail, and staff check it '
    "before it counts."
)
TAG_UNKNOWN = "No tag “{name}”: your role may not create tags, so use one that exists."
COMMENT_NOTE = "Comment with the signature sent through OSDI ({origin}): {comments}"
REFERRER_NOTE = "Referrer data sent through OSDI ({origin}): {referrer}"
CONSENT_SOURCE = "OSDI: {origin}"


@dataclass(frozen=True)
class OsdiSigner:
    """What the record signature helper was sent (already validated)."""

    email: str
    given_name: str = ""
    family_name: str = ""
    country: str = ""
    language: str = ""
    action_date: object = None
    comments: str = ""
    referrer_data: dict = field(default_factory=dict)
    add_tags: tuple = ()
    listing_consent: bool = False
    consent_text_version: str = ""
    origin_system: str = ""

    @property
    def name(self):
        return normalise_name(f"{self.given_name} {self.family_name}")


@dataclass
class Recorded:
    signature: Signature
    created: bool
    double_opt_in: bool = False


def _check_open(ask):
    if not ask.takes_signatures_from_outside_on(timezone.localdate()):
        raise ValidationError(ASK_NOT_OPEN, code="ask_not_open")


def _contact_for(signer, by):
    """The contact with this e-mail, or a new one (through crm's service, so the history
    names the token's owner). A known contact's names are left as they are."""
    email = normalise_email(signer.email)
    contact = Contact.objects.filter(email=email).first()
    if contact is not None:
        return contact
    contact = Contact(
        first_name=signer.given_name[:100],
        last_name=signer.family_name[:100],
        email=email,
        country=signer.country,
        preferred_language=signer.language,
    )
    try:
        with transaction.atomic():
            return contact_save(contact=contact, by=by)
    except (IntegrityError, ValidationError):
        # The same e-mail arrived a moment ago (contact_email_unique_ci): use theirs.
        found = Contact.objects.filter(email=email).first()
        if found is None:
            raise
        return found


def _tags(names, by):
    """Existing tags by name (any case); new ones only for a role that may add tags."""
    tags = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        found = Tag.objects.filter(name__iexact=name).first()
        if found is None:
            if not by.has_perm("crm.add_tag"):
                raise ValidationError({"add_tags": TAG_UNKNOWN.format(name=name)})
            found, _ = Tag.objects.get_or_create(name=name)
        tags.append(found)
    return tags


def _note(signer, contact, signature, by):
    origin = signer.origin_system or "no origin system given"
    lines = []
    if signer.comments:
        lines.append(COMMENT_NOTE.format(origin=origin, comments=signer.comments))
    if signer.referrer_data:
        referrer = ", ".join(f"{k}: {v}" for k, v in sorted(signer.referrer_data.items()))
        lines.append(REFERRER_NOTE.format(origin=origin, referrer=referrer))
    if lines:
        outreach_log_activity(
            outreach=matching_outreach(signature),
            contact=contact,
            kind="note",
            summary="\n".join(lines),
            by=by,
        )


def signature_record_osdi(*, ask, signer, by):
    """Record an individual's signature of `ask` sent to the record signature helper by
    `by` (the token's owner), as a partner's referral: the person is matched by e-mail
    or created, the signature is confirmed at once (the sending system collected it)
    and recorded by `signature_record`, so a signer has one live signature and the
    pipeline moves to signed. Listed publicly only with `listing_consent`, which is
    recorded as a consent to public listing; a repeat without it keeps the listing as
    it was. Tags in `add_tags` are added to the person; comments and referrer data go
    on their timeline as a note.

    Raises ValidationError: ASK_NOT_OPEN (unpublished, not yet open or closed),
    SUPPRESSED_EMAIL (the person was erased on request; the match is counted for the
    staff report), TAG_UNKNOWN, and the signer checks of `signature_record`. Nothing is
    saved then. Returns Recorded.
    """
    _check_open(ask)
    if is_suppressed(signer.email):
        suppression_note_matches([signer.email])  # kept: outside the refused transaction
        raise ValidationError({"person": SUPPRESSED_EMAIL}, code="suppressed")
    return _record(ask, signer, by)


@transaction.atomic
def _record(ask, signer, by):
    tags = _tags(signer.add_tags, by)
    contact = _contact_for(signer, by)
    existing = Signature.objects.live().filter(ask=ask, organisation=None, contact=contact).first()
    # A public-form signature's listing is its signer's own to change (outreach.services).
    own_flow = existing is not None and existing.source == Signature.Source.PUBLIC_FORM
    consent = None
    if signer.listing_consent and not own_flow:
        consent = consent_give(
            consent=ConsentRecord(
                contact=contact,
                purpose=ConsentRecord.Purpose.PUBLIC_LISTING,
                lawful_basis=ConsentRecord.LawfulBasis.CONSENT,
                given_at=signer.action_date or timezone.now(),
                source=CONSENT_SOURCE.format(origin=signer.origin_system or by)[:100],
                text_version=signer.consent_text_version[:50],
            ),
            by=by,
        )
    public = signer.listing_consent or bool(existing and existing.public)
    signature = signature_record(
        ask=ask,
        contact=contact,
        display_name=signer.name or (existing.display_name if existing else ""),
        country=signer.country,
        signed_at=signer.action_date,
        source=Signature.Source.PARTNER,
        public=public,
        status=Signature.Status.CONFIRMED,
        by=by,
    )
    if consent is not None:
        signature.listing_consent = consent
        signature.save(update_fields=["listing_consent", "updated_at"])
    for tag in tags:
        tag_add(tag=tag, model=Contact, ids=[contact.pk], by=by)
    _note(signer, contact, signature, by)
    return Recorded(signature=signature, created=existing is None)


def signature_submit_osdi(*, ask, signer, by, base_url):
    """The same, with double opt-in: through the public form's service and its e-mail
    (`signature_submit_and_email`), so nothing is confirmed, listed or counted until the
    person follows the link e-mailed to them (sent by a task once this commits, retried,
    a failure shown to staff as for the public form), a person erased earlier is
    held for staff to check, and the listing consent is theirs to give there. Tags are
    not added to a person who has not confirmed. Raises ValidationError (ASK_NOT_OPEN,
    the signer checks). Returns Recorded."""
    sign_on = SignOn(
        as_organisation=False,
        name=signer.name or signer.email,
        email=signer.email,
        country=signer.country,
        public=signer.listing_consent,
        language=ask.language,
        privacy_notice_version=PRIVACY_NOTICE_VERSION,
        privacy_notice_text=privacy_notice_text(),
    )
    existed = (
        Signature.objects.live()
        .filter(ask=ask, organisation=None, contact__email=normalise_email(signer.email))
        .exists()
    )
    with transaction.atomic():
        signature = signature_submit_and_email(ask=ask, sign_on=sign_on, base_url=base_url)
        _note(signer, signature.contact, signature, by)
    return Recorded(signature=signature, created=not existed, double_opt_in=True)
