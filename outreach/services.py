"""Operations on the pipeline and on signatures. Views, admin, API, imports and commands
all call these; nothing else assigns `Outreach.stage` or creates a Signature."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from crm.history import attribute
from crm.models import Affiliation, ConsentRecord, Contact, Organisation, website_domain
from crm.privacy import is_suppressed, suppression_note_matches
from crm.text import FREE_MAIL_DOMAINS, normalise_email, normalise_name
from outreach import signals, tokens
from outreach.cadence import Cadence
from outreach.models import (
    Activity,
    Ask,
    DeliverySnapshot,
    Outreach,
    Signature,
    Stage,
    StatementVersion,
)
from outreach.rollups import rollup_apply, rollup_tracked, signature_slot

TRANSITION_REFUSED = "An entry that is “{from_stage}” cannot move to “{to_stage}”."
UNKNOWN_STAGE = "“{stage}” is not a pipeline stage."
SIGNER_MISSING = "A signature needs an organisation or a person."
ASK_TAKES_NO_ORGANISATIONS = "This ask is signed by individuals only."
ASK_TAKES_NO_INDIVIDUALS = "This ask is signed by organisations only."
NEW_ENTRY_STAGE = "New pipeline entries start as prospects or as invited."


# Moving an entry to Signed records its signature; these are the reasons it cannot.
SIGNER_UNKNOWN = (
    "Who signed? This entry names neither an organisation nor a person, so no signature "
    "can be recorded; add the signer to the entry first."
)
SIGNATURE_AWAITS_CONFIRMATION = (
    "{name} signed on the public page and has not confirmed by e-mail yet; the entry "
    "moves to “Signed” when they do."
)
SIGNATURE_AWAITS_VERIFICATION = (
    "{name} signed on the public page and the signature awaits verification: verify it "
    "on the signatures page, which moves the entry to “Signed”."
)
WITHDRAWN_ON_THE_PIPELINE = "Withdrawn by moving the pipeline entry to “Withdrawn”."


@transaction.atomic
def outreach_change_stage(*, outreach, stage, by=None, note="", at=None):
    """Move an outreach entry to `stage` and log a stage-change activity.

    The pipeline and the signature list agree: moving an entry to signed records the
    signature of its organisation (signed for by the entry's contact person) or of its
    individual, as a staff entry, unless a counted one is there already; moving a signed
    entry to withdrawn withdraws its live signature (`note` is the reason). Both happen
    in this transaction.

    Does nothing (and logs nothing) when the entry is already there. Raises
    ValidationError (TRANSITION_REFUSED, UNKNOWN_STAGE; SIGNER_UNKNOWN,
    SIGNATURE_AWAITS_CONFIRMATION, SIGNATURE_AWAITS_VERIFICATION or the signer checks of
    `signature_record` for a move to signed); nothing is saved then. Returns the entry,
    refreshed.
    """
    if stage not in Stage.values:
        raise ValidationError({"stage": UNKNOWN_STAGE.format(stage=stage)}, code="unknown_stage")
    stage = Stage(stage)
    entry = Outreach.objects.select_for_update().get(pk=outreach.pk)
    if entry.stage == stage:
        return entry
    _check_transition(entry, stage)
    if stage == Stage.SIGNED:
        _record_signature_of(entry, by=by, at=at, note=note)
    elif entry.stage == Stage.SIGNED:
        _withdraw_signature_of(entry, by=by, reason=note)
    # Recording or withdrawing the signature may have moved the entry already.
    entry = Outreach.objects.select_for_update().get(pk=entry.pk)
    if entry.stage == stage:
        return entry
    return _move(entry, stage, by=by, note=note, at=at)


def _check_transition(entry, stage):
    if not entry.can_move_to(stage):
        raise ValidationError(
            {
                "stage": TRANSITION_REFUSED.format(
                    from_stage=entry.get_stage_display(), to_stage=stage.label
                )
            },
            code="transition_refused",
        )


def _move(entry, stage, *, by, note="", at=None):
    """The move itself, on a locked entry, once the signature side agrees with it."""
    _check_transition(entry, stage)
    at = at or timezone.now()
    from_stage = entry.stage
    entry.stage = stage
    entry.stage_changed_at = at
    changed = ["stage", "stage_changed_at", "updated_at"]
    if stage == Stage.INVITED and entry.invited_at is None:
        entry.invited_at = at
        changed.append("invited_at")
    if stage in Stage.CLOSED and entry.next_follow_up_on is not None:
        entry.next_follow_up_on = None
        changed.append("next_follow_up_on")
    attribute(entry, by)
    entry.save(update_fields=changed)
    Activity.objects.create(
        kind=Activity.Kind.STAGE_CHANGE,
        occurred_at=at,
        actor=by,
        outreach=entry,
        organisation_id=entry.organisation_id,
        contact_id=entry.contact_id,
        from_stage=from_stage,
        to_stage=stage,
        summary=note,
    )
    signals.outreach_stage_changed.send(
        sender=Outreach, outreach=entry, from_stage=from_stage, to_stage=stage, at=at
    )
    return entry


def _record_signature_of(entry, *, by, at, note):
    """The signature a move to signed stands for: the one already counted, or a new
    staff entry for the entry's signer (which moves the entry, see signature_record)."""
    organisation, contact = entry.organisation, entry.contact
    if organisation is None and contact is None:
        raise ValidationError({"stage": SIGNER_UNKNOWN}, code="signer_unknown")
    signature = _live_signature_of(ask=entry.ask, organisation=organisation, contact=contact)
    if signature is not None:
        if signature.status == Signature.Status.PENDING:
            message = SIGNATURE_AWAITS_CONFIRMATION
        elif signature.awaiting_verification:
            message = SIGNATURE_AWAITS_VERIFICATION
        else:
            return signature
        raise ValidationError(
            {"stage": message.format(name=signature.display_name)}, code="signature_not_counted"
        )
    role = ""
    if organisation is not None and contact is not None:
        affiliation = Affiliation.objects.filter(organisation=organisation, contact=contact)
        role = (affiliation.values_list("role", flat=True).first() or "")[:150]
    return signature_record(
        ask=entry.ask,
        organisation=organisation,
        contact=contact,
        role=role,
        signed_at=at,
        source=Signature.Source.STAFF,
        by=by,
        stage_note=note,
    )


def _withdraw_signature_of(entry, *, by, reason):
    signature = _live_signature_of(
        ask=entry.ask, organisation=entry.organisation, contact=entry.contact
    )
    if signature is not None:
        signature_withdraw(signature=signature, by=by, reason=reason or WITHDRAWN_ON_THE_PIPELINE)


def matching_outreach(signature):
    entries = Outreach.objects.filter(ask_id=signature.ask_id)
    if signature.organisation_id:
        return entries.filter(organisation_id=signature.organisation_id).first()
    return entries.filter(organisation__isnull=True, contact_id=signature.contact_id).first()


def _live_signature_of(*, ask, organisation, contact):
    signatures = Signature.objects.select_for_update().live().filter(ask=ask)
    if organisation is not None:
        return signatures.filter(organisation=organisation).first()
    return signatures.filter(organisation__isnull=True, contact=contact).first()


def _check_signer(ask, organisation, contact):
    if organisation is None and contact is None:
        raise ValidationError(SIGNER_MISSING, code="signer_missing")
    if organisation is not None and ask.signers == Ask.Signers.INDIVIDUALS:
        raise ValidationError({"organisation": ASK_TAKES_NO_ORGANISATIONS}, code="signers")
    if organisation is None and ask.signers == Ask.Signers.ORGANISATIONS:
        raise ValidationError({"organisation": ASK_TAKES_NO_INDIVIDUALS}, code="signers")


@transaction.atomic
def signature_record(
    *,
    ask,
    organisation=None,
    contact=None,
    display_name="",
    role="",
    affiliation_text="",
    country="",
    signed_at=None,
    source=Signature.Source.STAFF,
    public=False,
    public_source="",
    status=Signature.Status.CONFIRMED,
    awaiting_verification=False,
    by=None,
    stage_note="",
):
    """Record that an organisation (with the person signing for it) or an individual
    signed `ask`, and move the matching outreach entry to signed.

    Recording a signer who already has a live signature updates that signature (the
    earliest signing date is kept) instead of adding another. Side effects: a signature
    activity, and a stage change on the matching outreach when the signature is
    confirmed. Raises ValidationError when the signer is missing or the ask does not take
    this kind of signer, or the signature is invalid; nothing is saved then.

    A confirmed signature `awaiting_verification` (an organisation that signed on the
    public page) is not listed or counted, and leaves the pipeline as it is, until
    `signature_verify`. `public_source` is where an imported signatory was already
    listed publicly: the basis for `public` then. `stage_note` goes on the stage change
    it causes.
    """
    _check_signer(ask, organisation, contact)
    signed_at = signed_at or timezone.now()
    fields = _recorded_fields(
        organisation=organisation,
        contact=contact,
        display_name=display_name,
        role=role,
        affiliation_text=affiliation_text,
        country=country,
        source=source,
        public=public,
        public_source=public_source,
        status=status,
        awaiting_verification=awaiting_verification,
    )

    signature = _live_signature_of(ask=ask, organisation=organisation, contact=contact)
    was_confirmed = signature is not None and signature.status == Signature.Status.CONFIRMED
    if signature is None:
        signature = Signature(
            ask=ask, organisation=organisation, contact=contact, signed_at=signed_at, **fields
        )
        signature.full_clean(validate_constraints=False)
        attribute(signature, by)
        try:
            with transaction.atomic():
                signature.save()
                rollup_apply(after=signature_slot(signature))
        except IntegrityError:
            # Someone recorded the same signer a moment ago: update theirs instead.
            signature = _live_signature_of(ask=ask, organisation=organisation, contact=contact)
            if signature is None:
                raise
            was_confirmed = signature.status == Signature.Status.CONFIRMED
            _update_signature(signature, fields, signed_at, contact, by)
    else:
        _update_signature(signature, _allowed_changes(signature, fields), signed_at, contact, by)

    # Kept on the signature so an import can undo exactly what it recorded.
    signature.recorded_activity = Activity.objects.create(
        kind=Activity.Kind.SIGNATURE,
        occurred_at=signed_at,
        actor=by,
        outreach=matching_outreach(signature),
        organisation=organisation,
        contact=contact,
        summary=f"{signature.display_name} — {signature.get_status_display()}",
    )
    if signature.status == Signature.Status.CONFIRMED and not was_confirmed:
        signals.signature_confirmed.send(sender=Signature, signature=signature)
    if signature.status == Signature.Status.CONFIRMED and not signature.awaiting_verification:
        _move_outreach_to_signed(signature, by=by, at=signed_at, note=stage_note)
    return signature


def _recorded_fields(*, organisation, contact, display_name, country, **fields):
    return {
        "display_name": display_name or str(organisation or contact.full_name or contact),
        "country": country or getattr(organisation or contact, "country", ""),
        **fields,
    }


# Where a signature was recorded from: not something recording it again changes.
_PROVENANCE_FIELDS = ("source",)


def signature_record_changes(
    signature,
    *,
    organisation=None,
    contact=None,
    display_name="",
    role="",
    affiliation_text="",
    country="",
    signed_at=None,
    source=Signature.Source.STAFF,
    public=False,
    public_source="",
    status=Signature.Status.CONFIRMED,
    awaiting_verification=False,
):
    """What `signature_record` with these arguments would change on `signature`, the
    signer's live signature: {field: new value}, empty when nothing would change (the
    import reports such a row as unchanged and does not record it again). Times are
    compared to the second, the precision of a spreadsheet."""
    fields = _recorded_fields(
        organisation=organisation,
        contact=contact,
        display_name=display_name,
        role=role,
        affiliation_text=affiliation_text,
        country=country,
        source=source,
        public=public,
        public_source=public_source,
        status=status,
        awaiting_verification=awaiting_verification,
    )
    changes = {
        name: value
        for name, value in _allowed_changes(signature, fields).items()
        if name not in _PROVENANCE_FIELDS and str(getattr(signature, name)) != str(value)
    }
    if contact is not None and signature.contact_id != contact.pk:
        changes["contact"] = contact
    if signed_at is not None and signed_at < signature.signed_at.replace(microsecond=0):
        changes["signed_at"] = signed_at
    return changes


# What only a public-form signature's own flow changes (the signer's links, staff's
# verify / reject / listing actions), never a record of the same signer by staff, the API
# or an import: it cannot be confirmed or listed without the signer's confirmation and
# their consent to be listed.
_OWN_FLOW_FIELDS = ("status", "public", "public_source", "awaiting_verification", "source")


def _allowed_changes(signature, fields):
    if signature.source != Signature.Source.PUBLIC_FORM:
        return fields
    if fields["source"] == Signature.Source.PUBLIC_FORM:
        return fields  # its confirmation link (signature_confirm)
    return {k: v for k, v in fields.items() if k not in _OWN_FLOW_FIELDS}


def _move_outreach_to_signed(signature, *, by, at=None, note=""):
    entry = matching_outreach(signature)
    if entry is not None and entry.stage != Stage.SIGNED:
        entry = Outreach.objects.select_for_update().get(pk=entry.pk)
        _move(entry, Stage.SIGNED, by=by, at=at, note=note)


def _update_signature(signature, fields, signed_at, contact, by):
    before = signature_slot(signature)  # as locked by _live_signature_of
    for name, value in fields.items():
        setattr(signature, name, value)
    if contact is not None:
        signature.contact = contact
    signature.signed_at = min(signature.signed_at, signed_at)
    signature.full_clean(validate_constraints=False)
    attribute(signature, by)
    signature.save()
    rollup_apply(before, signature_slot(signature))


@transaction.atomic
def signature_withdraw(*, signature, by=None, reason=""):
    """Withdraw a signature: it leaves every public output, and its outreach entry moves
    to withdrawn. The record stays (when, by whom — None when the signatory used their
    own link — and why); a consent to be listed is marked withdrawn too. Returns the
    signature; does nothing to one already withdrawn."""
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status == Signature.Status.WITHDRAWN:
        return signature
    was_confirmed = signature.status == Signature.Status.CONFIRMED
    before = signature_slot(signature)
    signature.status = Signature.Status.WITHDRAWN
    signature.withdrawn_at = timezone.now()
    signature.withdrawn_by = by
    signature.status_reason = reason
    # Links e-mailed earlier stop working.
    signature.confirm_nonce = signature.withdraw_nonce = ""
    signature.pending_changes = {}
    attribute(signature, by)
    signature.save(
        update_fields=[
            "status",
            "withdrawn_at",
            "withdrawn_by",
            "status_reason",
            "confirm_nonce",
            "withdraw_nonce",
            "pending_changes",
            "updated_at",
        ]
    )
    rollup_apply(before, signature_slot(signature))
    if signature.listing_consent_id:
        ConsentRecord.objects.filter(
            pk=signature.listing_consent_id, withdrawn_at__isnull=True
        ).update(withdrawn_at=signature.withdrawn_at)
    entry = matching_outreach(signature)
    if was_confirmed and entry is not None and entry.stage == Stage.SIGNED:
        entry = Outreach.objects.select_for_update().get(pk=entry.pk)
        _move(entry, Stage.WITHDRAWN, by=by, note=reason)
    signals.signature_withdrawn.send(sender=Signature, signature=signature)
    return signature


@dataclass
class TargetsAdded:
    added: list
    skipped: int

    @property
    def added_count(self):
        return len(self.added)


@transaction.atomic
def outreach_add_targets(
    *, ask, organisations=(), contacts=(), owner=None, stage=Stage.PROSPECT, by=None
):
    """Put organisations and individuals in `ask`'s pipeline, one entry each.

    Entries that already exist are left as they are and counted as skipped, so adding
    the same selection twice adds nothing the second time. An organisation's entry gets
    its primary contact. A signer whose signature is counted already joins at signed.
    Returns TargetsAdded(added entries, skipped count).
    """
    if stage not in (Stage.PROSPECT, Stage.INVITED):
        raise ValidationError({"stage": NEW_ENTRY_STAGE}, code="new_entry_stage")
    organisation_ids = {getattr(o, "pk", o) for o in organisations}
    contact_ids = {getattr(c, "pk", c) for c in contacts}
    existing = Outreach.objects.filter(ask=ask)
    organisation_ids_there = set(
        existing.filter(organisation_id__in=organisation_ids).values_list(
            "organisation_id", flat=True
        )
    )
    contact_ids_there = set(
        existing.filter(organisation__isnull=True, contact_id__in=contact_ids).values_list(
            "contact_id", flat=True
        )
    )
    primary_contact = dict(
        Affiliation.objects.filter(
            organisation_id__in=organisation_ids - organisation_ids_there, is_primary=True
        ).values_list("organisation_id", "contact_id")
    )

    # Whoever signed already joins the pipeline at signed: the two lists agree.
    counted = Signature.objects.filter(ask=ask).counted()
    organisations_signed = set(
        counted.filter(organisation_id__in=organisation_ids).values_list(
            "organisation_id", flat=True
        )
    )
    individuals_signed = set(
        counted.filter(organisation__isnull=True, contact_id__in=contact_ids).values_list(
            "contact_id", flat=True
        )
    )

    now = timezone.now()
    invited_at = now if stage == Stage.INVITED else None
    new_entries = [
        Outreach(
            ask=ask,
            organisation_id=organisation_id,
            contact_id=primary_contact.get(organisation_id),
            owner=owner,
            stage=Stage.SIGNED if organisation_id in organisations_signed else stage,
            stage_changed_at=now,
            invited_at=invited_at,
        )
        for organisation_id in sorted(organisation_ids - organisation_ids_there)
    ] + [
        Outreach(
            ask=ask,
            contact_id=contact_id,
            owner=owner,
            stage=Stage.SIGNED if contact_id in individuals_signed else stage,
            stage_changed_at=now,
            invited_at=invited_at,
        )
        for contact_id in sorted(contact_ids - contact_ids_there)
    ]
    # bulk_create_with_history keeps the audit trail for entries created in bulk.
    added = bulk_create_with_history(new_entries, Outreach, default_user=by)
    skipped = len(organisation_ids & organisation_ids_there) + len(contact_ids & contact_ids_there)
    return TargetsAdded(added=added, skipped=skipped)


# --- Follow-ups: invitations, reminders, logged activities, the cadence -------------

NOT_A_PROSPECT = "Only prospects and invited entries can be invited; this one is “{stage}”."
INVITE_FIRST = "Invite this entry before sending a reminder."
REMINDER_CLOSED = "No reminder for an entry that is “{stage}”."
LOGGABLE_KINDS = (
    Activity.Kind.CALL,
    Activity.Kind.MEETING,
    Activity.Kind.REPLY,
    Activity.Kind.NOTE,
)
NOT_LOGGABLE = "“{kind}” cannot be logged by hand."
NO_RESPONSE_NOTE = "No reply after {count} reminder(s)."


def _log(entry, kind, *, by, at, summary=""):
    return Activity.objects.create(
        kind=kind,
        occurred_at=at,
        actor=by,
        outreach=entry,
        organisation_id=entry.organisation_id,
        contact_id=entry.contact_id,
        summary=summary,
    )


def _local_day(at):
    return timezone.localdate(at)


@transaction.atomic
def outreach_invite(*, outreach, by=None, at=None, summary=""):
    """Record that an invitation went out: an invitation activity, the move to invited,
    and the first follow-up date from the ask's cadence.

    An entry already invited may be invited again (the date restarts from this one).
    Raises ValidationError (NOT_A_PROSPECT) for any other stage; nothing is saved then.
    """
    at = at or timezone.now()
    entry = Outreach.objects.select_for_update().select_related("ask").get(pk=outreach.pk)
    if entry.stage not in (Stage.PROSPECT, Stage.INVITED):
        raise ValidationError(
            {"stage": NOT_A_PROSPECT.format(stage=entry.get_stage_display())}, code="not_prospect"
        )
    _log(entry, Activity.Kind.INVITATION, by=by, at=at, summary=summary)
    entry = outreach_change_stage(outreach=entry, stage=Stage.INVITED, by=by, at=at)
    entry.next_follow_up_on = Cadence.for_ask(entry.ask).after_invitation(_local_day(at))
    attribute(entry, by)
    entry.save(update_fields=["next_follow_up_on", "updated_at"])
    return entry


@transaction.atomic
def outreach_log_follow_up(*, outreach, by=None, at=None, summary=""):
    """Record that a reminder went out ("reminder sent"): a reminder activity, the move
    from invited (or no response) to followed up, one more on the reminder count, and the
    next follow-up date from the ask's cadence.

    Raises ValidationError (INVITE_FIRST for prospects, REMINDER_CLOSED for signed,
    declined or withdrawn entries); nothing is saved then.
    """
    at = at or timezone.now()
    entry = Outreach.objects.select_for_update().select_related("ask").get(pk=outreach.pk)
    if entry.stage == Stage.PROSPECT:
        raise ValidationError({"stage": INVITE_FIRST}, code="invite_first")
    if entry.stage in Stage.CLOSED:
        raise ValidationError(
            {"stage": REMINDER_CLOSED.format(stage=entry.get_stage_display())},
            code="reminder_closed",
        )
    _log(entry, Activity.Kind.REMINDER, by=by, at=at, summary=summary)
    entry = outreach_change_stage(outreach=entry, stage=Stage.FOLLOWED_UP, by=by, at=at)
    entry.follow_up_count += 1
    entry.next_follow_up_on = Cadence.for_ask(entry.ask).after_reminder(_local_day(at))
    attribute(entry, by)
    entry.save(update_fields=["follow_up_count", "next_follow_up_on", "updated_at"])
    return entry


@transaction.atomic
def outreach_log_activity(
    *, outreach=None, kind, summary="", by=None, at=None, organisation=None, contact=None
):
    """Log a call, meeting, reply received or note on an entry's timeline (or, without
    an entry, on an organisation's or a contact's). Returns the activity; raises
    ValidationError (NOT_LOGGABLE for other kinds, ACTIVITY_WITHOUT_SUBJECT)."""
    if kind not in LOGGABLE_KINDS:
        raise ValidationError({"kind": NOT_LOGGABLE.format(kind=kind)}, code="not_loggable")
    at = at or timezone.now()
    if outreach is not None:
        return _log(outreach, kind, by=by, at=at, summary=summary)
    if organisation is None and contact is None:
        raise ValidationError(ACTIVITY_WITHOUT_SUBJECT, code="no_subject")
    return Activity.objects.create(
        kind=kind,
        occurred_at=at,
        actor=by,
        organisation=organisation,
        contact=contact,
        summary=summary,
    )


@transaction.atomic
def outreach_set_follow_up(*, entries, on, by=None):
    """Set (or clear, with on=None) the next follow-up date of entries, overriding the
    cadence. Returns the number of entries changed; the audit trail names `by`."""
    entries = list(Outreach.objects.select_for_update().filter(pk__in=[e.pk for e in entries]))
    changed = [e for e in entries if e.next_follow_up_on != on]
    for entry in changed:
        entry.next_follow_up_on = on
        entry.updated_at = timezone.now()
    bulk_update_with_history(
        changed, Outreach, ["next_follow_up_on", "updated_at"], default_user=by
    )
    return len(changed)


@transaction.atomic
def outreach_assign_owner(*, entries, owner, by=None):
    """Give entries an owner (or none). Returns the number of entries changed."""
    owner_id = owner.pk if owner is not None else None
    entries = list(Outreach.objects.select_for_update().filter(pk__in=[e.pk for e in entries]))
    changed = [e for e in entries if e.owner_id != owner_id]
    for entry in changed:
        entry.owner_id = owner_id
        entry.updated_at = timezone.now()
    bulk_update_with_history(changed, Outreach, ["owner", "updated_at"], default_user=by)
    return len(changed)


CONTACT_NOT_AFFILIATED = (
    "{person} is not a contact of {organisation}: add the affiliation on their page first."
)
CONTACT_OF_INDIVIDUAL = "An individual's entry is about that person; their contact cannot change."


@transaction.atomic
def outreach_set_contact(*, outreach, contact, by=None):
    """Make `contact` (or nobody, with None) the contact person of an organisation's
    entry: the person invitations go to and who signs for it when it moves to signed.
    They must be affiliated with the organisation. Returns the entry; raises
    ValidationError (CONTACT_NOT_AFFILIATED, CONTACT_OF_INDIVIDUAL)."""
    entry = (
        Outreach.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=outreach.pk)
    )
    if entry.organisation_id is None:
        raise ValidationError({"contact": CONTACT_OF_INDIVIDUAL}, code="individual_entry")
    contact_id = getattr(contact, "pk", None)
    if entry.contact_id == contact_id:
        return entry
    if (
        contact is not None
        and not Affiliation.objects.filter(
            organisation_id=entry.organisation_id, contact_id=contact_id
        ).exists()
    ):
        raise ValidationError(
            {
                "contact": CONTACT_NOT_AFFILIATED.format(
                    person=contact.full_name or contact, organisation=entry.organisation
                )
            },
            code="not_affiliated",
        )
    entry.contact_id = contact_id
    attribute(entry, by)
    entry.save(update_fields=["contact", "updated_at"])
    return entry


@dataclass
class StageChanges:
    moved: list
    unchanged: list
    refused: list  # (entry, message)

    def summary(self, stage):
        """What a page says after the move: "3 moved to “Invited”, 1 already there." """
        there = f", {len(self.unchanged)} already there." if self.unchanged else "."
        return f"{len(self.moved)} moved to “{stage.label}”{there}"

    def refusals(self):
        """One sentence per entry that could not move, naming it and why."""
        return [f"Not moved — {entry.target_name}: {reason}" for entry, reason in self.refused]


def outreach_bulk_change_stage(*, entries, stage, by=None):
    """Move each entry to `stage` where the pipeline allows it. Each move is its own
    transaction (through outreach_change_stage); refused ones are returned with the
    reason, so the page can name them. Returns StageChanges."""
    result = StageChanges(moved=[], unchanged=[], refused=[])
    for entry in entries:
        if entry.stage == stage:
            result.unchanged.append(entry)
            continue
        try:
            result.moved.append(outreach_change_stage(outreach=entry, stage=stage, by=by))
        except ValidationError as error:
            result.refused.append((entry, " ".join(error.messages)))
    return result


def _exhausted(*, on):
    """Entries waiting for a reply whose last allowed reminder has run out by `on`."""
    return Outreach.objects.awaiting_reply().filter(
        next_follow_up_on__lte=on, follow_up_count__gte=F("ask__max_reminders")
    )


def outreach_close_unanswered(*, on, by=None):
    """Move every entry past its last reminder on `on` to "no response" and clear its
    follow-up date. Running it again on the same day finds nothing more to move.
    Returns the entries moved."""
    moved = []
    for entry in _exhausted(on=on).select_related("ask").order_by("pk"):
        with transaction.atomic():
            entry = outreach_change_stage(
                outreach=entry,
                stage=Stage.NO_RESPONSE,
                by=by,
                note=NO_RESPONSE_NOTE.format(count=entry.follow_up_count),
            )
            entry.next_follow_up_on = None
            attribute(entry, by)
            entry.save(update_fields=["next_follow_up_on", "updated_at"])
        moved.append(entry)
    return moved


# Public sign-on ----------------------------------------------------------------------

LINK_INVALID = "This link is not valid or has expired."
LINK_USED = "This link has already been used."
ASK_NOT_OPEN = "This statement is not open for signatures."
NOT_AWAITING_VERIFICATION = "Only a confirmed signature awaiting verification can be verified."
REASON_REQUIRED = "Give a reason: it is kept with the record."
REJECTED_NOTE = "Signature rejected: {reason}"
OTHER_SIGNER_NOTE = (
    "{person} confirmed signing for {name} on the public page. The organisation's listed "
    "signature was left as it is; edit it on the signatures page if they asked for changes."
)
ACTIVITY_WITHOUT_SUBJECT = "An activity concerns an outreach entry, an organisation or a contact."
OTHER_SIGNER_CLAIM_NOTE = (
    "{person} used the public sign form to sign for {name}, which has a signature "
    "already. Nothing was changed and no link was sent to them; the organisation's signer "
    "was told. Edit the signature on the signatures page if the organisation asks."
)
VERSION_EDIT_NEEDS_ACK = (
    "{count} signature(s) were given on the current text. Saving keeps that text as a "
    "version and starts a new one: tick “I understand” to go ahead."
)

# The note on contacts and organisations the public form created (see the purge below).
CREATED_BY_FORM = "Added by the public sign form."
SIGNED_AFTER_ERASURE = (
    "This e-mail belongs to a person whose data was erased on request earlier. They "
    "signed again on the public form and confirmed by e-mail; the signature waits for "
    "verification. Check that they want to be in the CRM again before verifying it."
)


@dataclass(frozen=True)
class SignOn:
    """What a person typed into the public sign form (already validated)."""

    as_organisation: bool
    name: str
    email: str
    country: str = ""
    organisation_name: str = ""
    website: str = ""
    role: str = ""
    affiliation: str = ""
    public: bool = False
    newsletter: bool = False
    language: str = "en"
    privacy_notice_version: str = ""
    privacy_notice_text: str = ""


def email_domain(email):
    return normalise_email(email or "").rpartition("@")[2]


def statement_version_current(*, ask, language):
    """The version of `ask`'s text in `language` (or its fallback) as it stands now,
    keeping a new version when the text changed since the last one.

    Concurrent sign-ups do not wait for each other: the one that loses the race for a
    new number (statement_version_unique) reads the version that won and uses it when
    it is the same text, or takes the next number."""
    title, statement, language = ask.text_in(language)
    for attempt in range(5):
        latest = ask.statement_versions.filter(language=language).order_by("-number").first()
        if latest is not None and (latest.title, latest.statement) == (title, statement):
            return latest
        try:
            with transaction.atomic():
                return StatementVersion.objects.create(
                    ask=ask,
                    language=language,
                    number=(latest.number + 1) if latest else 1,
                    title=title,
                    statement=statement,
                )
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def _split_name(name):
    name = normalise_name(name)
    first, _, last = name.rpartition(" ")
    first, last = (first, last) if first else (last, "")
    limit = Contact._meta.get_field("first_name").max_length
    return first[:limit], last[:limit]


def _contact_for(sign_on):
    """The contact with this e-mail, or a new one. A known contact's names are not
    overwritten from an anonymous form."""
    email = normalise_email(sign_on.email)
    contact = Contact.objects.filter(email=email).first()
    if contact is not None:
        return contact
    first_name, last_name = _split_name(sign_on.name)
    contact = Contact(
        first_name=first_name,
        last_name=last_name,
        email=email,
        country=sign_on.country,
        preferred_language=sign_on.language,
        notes=CREATED_BY_FORM,
    )
    contact.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError:
        # The same e-mail signed a moment ago (contact_email_unique_ci): use theirs.
        contact = Contact.objects.filter(email=email).first()
        if contact is None:
            raise
    return contact


def _lock_organisation_name(name):
    """Serialise the creation of an organisation by its normalised name (not the whole
    ask): organisations have no unique name, so two forms for one new organisation would
    otherwise each create it. A transaction-level advisory lock on PostgreSQL; SQLite
    serialises writers anyway."""
    if connection.vendor != "postgresql":
        return
    key = "organisation:" + normalise_name(name).casefold()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def organisation_match(*, name, website="", email=""):
    """An existing organisation for a signer: by website domain, then normalised name,
    then the e-mail's domain (unless it is a free mail provider). None when none fits."""
    domain = website_domain(website)
    organisations = Organisation.objects.order_by("pk")
    if domain:
        found = organisations.filter(domain=domain).first()
        if found:
            return found
    found = organisations.filter(name__iexact=normalise_name(name)).first()
    if found:
        return found
    mail_domain = email_domain(email)
    if mail_domain and mail_domain not in FREE_MAIL_DOMAINS:
        return organisations.filter(domain=mail_domain).first()
    return None


def _organisation_for(sign_on):
    """(organisation, whether it was already in the CRM)."""
    found = organisation_match(
        name=sign_on.organisation_name, website=sign_on.website, email=sign_on.email
    )
    if found is not None:
        return found, True
    organisation = Organisation(
        name=sign_on.organisation_name,
        website=sign_on.website,
        country=sign_on.country,
        notes=CREATED_BY_FORM,
    )
    organisation.full_clean(validate_constraints=False)
    organisation.save()
    return organisation, False


@transaction.atomic
def signature_submit(*, ask, sign_on):
    """Take a public sign form: find or create the signer's contact (by e-mail) and
    organisation (website domain, name, e-mail domain), and keep what they asked for as
    pending changes on their one live signature — a new pending signature, or the one
    they already have. Nothing is listed or changed until the link e-mailed to them is
    followed (`signature_confirm`). Returns the signature, whose `confirm_nonce` is new.

    A submission for an organisation whose live signature has another signer (or none)
    changes nothing and hands out no link: the returned signature then has
    `claimed_by_other` set, and only the signer's own link or staff change it.

    Sign-ups on one ask are not serialised: concurrent submissions with the same e-mail
    end with one contact and one signature through the unique constraints (a conflict
    is retried in a savepoint and finds the row that won); only forms for one new
    organisation name wait for each other. Raises ValidationError (ASK_NOT_OPEN, or the
    signer checks of `signature_record`).
    """
    ask = Ask.objects.get(pk=ask.pk)
    if not ask.takes_signatures_from_outside_on(timezone.localdate()):
        raise ValidationError(ASK_NOT_OPEN, code="ask_not_open")
    contact = _contact_for(sign_on)
    organisation, known = (None, False)
    if sign_on.as_organisation:
        _lock_organisation_name(sign_on.organisation_name)
        organisation, known = _organisation_for(sign_on)
    _check_signer(ask, organisation, contact)
    version = statement_version_current(ask=ask, language=sign_on.language)

    signature = _live_signature_of(ask=ask, organisation=organisation, contact=contact)
    if signature is not None and signature.contact_id != contact.pk:
        return _claim_of_another_signer(signature, contact)
    if signature is None:
        signature = signature_record(
            ask=ask,
            organisation=organisation,
            contact=contact,
            display_name=sign_on.organisation_name if organisation else sign_on.name,
            country=sign_on.country,
            source=Signature.Source.PUBLIC_FORM,
            public=False,
            status=Signature.Status.PENDING,
        )
        if signature.contact_id != contact.pk:
            # Another signer's form for this organisation won the race.
            return _claim_of_another_signer(signature, contact)
        signature.organisation_was_known = known
    signature.pending_changes = {
        "contact_id": contact.pk,
        "display_name": normalise_name(sign_on.organisation_name if organisation else sign_on.name),
        "role": sign_on.role,
        "affiliation_text": sign_on.affiliation,
        "country": sign_on.country,
        "public": sign_on.public,
        "newsletter": sign_on.newsletter,
        "language": version.language,
        "page_language": sign_on.language,
        "statement_version_id": version.pk,
        "privacy_notice_version": sign_on.privacy_notice_version,
        "privacy_notice_text": sign_on.privacy_notice_text,
        "submitted_at": timezone.now().isoformat(),
    }
    signature.confirm_nonce = tokens.new_nonce()
    if not signature.withdraw_nonce:
        signature.withdraw_nonce = tokens.new_nonce()
    signature.save(
        update_fields=[
            "pending_changes",
            "confirm_nonce",
            "withdraw_nonce",
            "organisation_was_known",
            "updated_at",
        ]
    )
    return signature


def _claim_of_another_signer(signature, contact):
    """Someone other than its signer submits the form for an organisation that has a live
    signature: its links, person, role and listing are not theirs to have or change. The
    signature is left untouched and staff get a note; the caller tells the submitter it
    is already signed and tells the signer (`claimed_by_other`)."""
    _note_on_signature(signature, contact, OTHER_SIGNER_CLAIM_NOTE)
    signature.claimed_by_other = True
    signature.claimed_by_contact_id = contact.pk
    return signature


def _signature_from_token(parsed, nonce_field):
    if parsed is None:
        raise ValidationError(LINK_INVALID, code="link_invalid")
    signature_id, nonce = parsed
    signature = (
        Signature.objects.select_for_update().select_related("ask").filter(pk=signature_id).first()
    )
    if signature is None:
        raise ValidationError(LINK_INVALID, code="link_invalid")
    if not getattr(signature, nonce_field) or getattr(signature, nonce_field) != nonce:
        raise ValidationError(LINK_USED, code="link_used")
    return signature


def _record_consent(*, contact, purpose, source, version="", text=""):
    return ConsentRecord.objects.create(
        contact=contact,
        purpose=purpose,
        lawful_basis=ConsentRecord.LawfulBasis.CONSENT,
        given_at=timezone.now(),
        source=source,
        text_version=version,
        text=text,
    )


@transaction.atomic
def signature_confirm(*, token):
    """Follow a confirmation link: apply what the form asked for, confirm the signature
    and record the consent to be listed (with the privacy notice's text and version) and
    to the newsletter when given. An organisation's signature then waits for staff
    verification if its ask asks for it; otherwise the matching outreach moves to signed,
    in this transaction. The link works once. Raises ValidationError (LINK_INVALID,
    LINK_USED)."""
    signature = _signature_from_token(tokens.read_confirm_token(token), "confirm_nonce")
    if not signature.is_live:
        raise ValidationError(LINK_USED, code="link_used")
    changes = signature.pending_changes
    contact = Contact.objects.get(pk=changes["contact_id"])
    previously_listed = signature.status == Signature.Status.CONFIRMED and not (
        signature.awaiting_verification
    )
    checked = bool(signature.organisation_id and signature.ask.verify_organisation_signatures)
    if checked and previously_listed and signature.contact_id != contact.pk:
        # Someone else confirms for an organisation already verified and listed: the
        # listing stays as it is (an unchecked person neither changes nor delists it),
        # and staff are told.
        return _note_other_signer(signature, contact)
    awaiting = checked and not previously_listed
    if is_suppressed(contact.email):
        # The person's data was erased on request, and they now sign again with the
        # same address, proven by the link: a new, explicit act of theirs. It is kept,
        # but held for staff to check before it is listed or counted, and staff are told.
        awaiting = True
        suppression_note_matches([contact.email])
        Activity.objects.create(
            kind=Activity.Kind.NOTE, contact=contact, summary=SIGNED_AFTER_ERASURE
        )
    source = f"Public sign form: {signature.ask.slug}"
    consent = None
    if changes["public"]:
        consent = _record_consent(
            contact=contact,
            purpose=ConsentRecord.Purpose.PUBLIC_LISTING,
            source=source,
            version=changes["privacy_notice_version"],
            text=changes["privacy_notice_text"],
        )
    elif signature.listing_consent_id:
        ConsentRecord.objects.filter(
            pk=signature.listing_consent_id, withdrawn_at__isnull=True
        ).update(withdrawn_at=timezone.now())
    if changes.get("newsletter"):
        _record_consent(
            contact=contact,
            purpose=ConsentRecord.Purpose.NEWSLETTER,
            source=source,
            version=changes["privacy_notice_version"],
            text=changes["privacy_notice_text"],
        )

    signature = signature_record(
        ask=signature.ask,
        organisation=signature.organisation,
        contact=contact,
        display_name=changes["display_name"],
        role=changes["role"],
        affiliation_text=changes["affiliation_text"],
        country=changes["country"],
        source=signature.source,
        public=changes["public"],
        status=Signature.Status.CONFIRMED,
        awaiting_verification=awaiting,
    )
    signature.confirmed_at = timezone.now()
    signature.confirm_nonce = ""
    signature.pending_changes = {}
    signature.language = changes["language"]
    signature.statement_version_id = changes["statement_version_id"]
    signature.listing_consent = consent
    if awaiting:
        signature.verified_at, signature.verified_by = None, None
    signature.save()
    return signature


def _note_on_signature(signature, contact, note):
    """A note for staff on the organisation's timeline about `contact` and `signature`."""
    Activity.objects.create(
        kind=Activity.Kind.NOTE,
        outreach=matching_outreach(signature),
        organisation_id=signature.organisation_id,
        contact=contact,
        summary=note.format(person=contact.full_name or contact.email, name=signature.display_name),
    )


def _note_other_signer(signature, contact):
    _note_on_signature(signature, contact, OTHER_SIGNER_NOTE)
    signature.confirm_nonce = ""
    signature.pending_changes = {}
    signature.save(update_fields=["confirm_nonce", "pending_changes", "updated_at"])
    return signature


@transaction.atomic
def signature_verify(*, signature, by):
    """Staff checked an organisation's signature: it is listed (if its signatory chose
    so) and counted, the signer is recorded as a contact of the organisation, and the
    matching outreach moves to signed. Raises ValidationError
    (NOT_AWAITING_VERIFICATION)."""
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status != Signature.Status.CONFIRMED or not signature.awaiting_verification:
        raise ValidationError(NOT_AWAITING_VERIFICATION, code="not_awaiting")
    before = signature_slot(signature)
    signature.awaiting_verification = False
    signature.verified_at = timezone.now()
    signature.verified_by = by
    attribute(signature, by)
    signature.save(
        update_fields=["awaiting_verification", "verified_at", "verified_by", "updated_at"]
    )
    rollup_apply(before, signature_slot(signature))  # the reports count it already
    if signature.organisation_id and signature.contact_id:
        Affiliation.objects.get_or_create(
            contact_id=signature.contact_id,
            organisation_id=signature.organisation_id,
            defaults={"role": signature.role[:150]},
        )
    _move_outreach_to_signed(signature, by=by)
    signals.signature_verified.send(sender=Signature, signature=signature)
    return signature


@transaction.atomic
def signature_reject(*, signature, by, reason):
    """Staff found a signature not genuine: it is rejected with `reason` and never
    listed; its links stop working. Raises ValidationError (REASON_REQUIRED)."""
    if not reason.strip():
        raise ValidationError({"reason": REASON_REQUIRED}, code="reason_required")
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if not signature.is_live:
        return signature
    was_counted = signature.status == Signature.Status.CONFIRMED and not (
        signature.awaiting_verification
    )
    before = signature_slot(signature)
    signature.status = Signature.Status.REJECTED
    signature.status_reason = reason.strip()
    signature.awaiting_verification = False
    signature.confirm_nonce = signature.withdraw_nonce = ""
    signature.pending_changes = {}
    attribute(signature, by)
    signature.save()
    rollup_apply(before, signature_slot(signature))
    entry = matching_outreach(signature)
    if was_counted and entry is not None and entry.stage == Stage.SIGNED:
        # No live signature is left behind the "Signed" card; withdrawn is its only way out.
        entry = Outreach.objects.select_for_update().get(pk=entry.pk)
        _move(entry, Stage.WITHDRAWN, by=by, note=REJECTED_NOTE.format(reason=reason.strip()))
    return signature


@transaction.atomic
def signature_withdraw_by_link(*, token, reason=""):
    """The signatory withdraws with the link from their e-mail. Raises ValidationError
    (LINK_INVALID, LINK_USED)."""
    signature = _signature_from_token(tokens.read_withdraw_token(token), "withdraw_nonce")
    return signature_withdraw(
        signature=signature, by=None, reason=reason.strip() or "Withdrawn by the signatory"
    )


@transaction.atomic
def signature_change_listing(*, signature, display_name, public, by, reason=""):
    """Staff edit how a signature is published. Turning public listing on or off needs a
    reason, kept in the signature's history. Raises ValidationError (REASON_REQUIRED)."""
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    listing_changes = signature.public != public
    if listing_changes and not reason.strip():
        raise ValidationError({"reason": REASON_REQUIRED}, code="reason_required")
    signature.display_name = normalise_name(display_name)
    signature.public = public
    signature.full_clean(validate_constraints=False)
    attribute(signature, by)
    signature._change_reason = reason.strip() or "Display name edited"
    signature.save(update_fields=["display_name", "public", "updated_at"])
    return signature


def ask_text_edit_check(*, ask, acknowledged, language=None):
    """Before staff save a changed statement (in `language`, or the ask's own text):
    refuse unless they acknowledged that signatures exist on the current text. Raises
    ValidationError (VERSION_EDIT_NEEDS_ACK)."""
    count = (
        Signature.objects.filter(ask=ask, statement_version__language=language or ask.language)
        .exclude(statement_version=None)
        .count()
    )
    if count and not acknowledged:
        raise ValidationError(VERSION_EDIT_NEEDS_ACK.format(count=count), code="needs_ack")


@transaction.atomic
def delivery_snapshot_create(*, ask, as_of, language, by):
    """Freeze `ask`'s text (as a statement version) and its public list of signatories
    who signed up to `as_of`; the letter stays open. Returns the snapshot."""
    from outreach.selectors import public_counts, public_rows

    version = statement_version_current(ask=ask, language=language)
    rows = public_rows(ask=ask, until=as_of)
    counts = public_counts(ask=ask, until=as_of)
    return DeliverySnapshot.objects.create(
        ask=ask,
        as_of=as_of,
        language=version.language,
        title=version.title,
        statement=version.statement,
        statement_version=version,
        rows=rows,
        organisation_count=counts.organisations,
        individual_count=counts.individuals,
        created_by=by,
    )


@dataclass
class Purged:
    signatures: int
    contacts: int
    organisations: int


@transaction.atomic
def signature_purge_unconfirmed(*, older_than):
    """Forget sign-ups from the public form never confirmed before `older_than`: their
    pending signatures and those signatures' history, and the contacts and organisations
    the form created for them when nothing else refers to them (with their history).
    Pending changes to signatures that are confirmed are dropped too. Returns Purged."""
    stale = Signature.objects.filter(
        status=Signature.Status.PENDING,
        source=Signature.Source.PUBLIC_FORM,
        confirmed_at__isnull=True,
        created_at__lt=older_than,
    )
    ids = list(stale.values_list("pk", flat=True))
    contact_ids = set(stale.exclude(contact=None).values_list("contact_id", flat=True))
    organisation_ids = set(
        stale.exclude(organisation=None).values_list("organisation_id", flat=True)
    )
    Signature.objects.filter(status=Signature.Status.CONFIRMED, updated_at__lt=older_than).exclude(
        pending_changes={}
    ).update(pending_changes={}, confirm_nonce="")
    with rollup_tracked(ids):  # pending signatures: nothing counted leaves, checked anyway
        Signature.objects.filter(pk__in=ids).delete()
    Signature.history.filter(id__in=ids).delete()

    contacts = Contact.objects.filter(
        pk__in=contact_ids,
        notes=CREATED_BY_FORM,
        signatures=None,
        affiliations=None,
        outreach=None,
        consents=None,
    )
    forgotten_contacts = list(contacts.values_list("pk", flat=True))
    contacts.delete()
    Contact.history.filter(id__in=forgotten_contacts).delete()
    organisations = Organisation.objects.filter(
        pk__in=organisation_ids,
        notes=CREATED_BY_FORM,
        signatures=None,
        affiliations=None,
        outreach=None,
        members=None,
    )
    forgotten_organisations = list(organisations.values_list("pk", flat=True))
    organisations.delete()
    Organisation.history.filter(id__in=forgotten_organisations).delete()
    return Purged(len(ids), len(forgotten_contacts), len(forgotten_organisations))
