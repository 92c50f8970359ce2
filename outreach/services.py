"""Operations on the pipeline and on signatures. Views, admin, API, imports and commands
all call these; nothing else assigns `Outreach.stage` or creates a Signature."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from crm.models import Affiliation
from outreach.cadence import Cadence
from outreach.models import Activity, Ask, Outreach, Signature, Stage

TRANSITION_REFUSED = "An entry that is “{from_stage}” cannot move to “{to_stage}”."
UNKNOWN_STAGE = "“{stage}” is not a pipeline stage."
SIGNER_MISSING = "A signature needs an organisation or a person."
ASK_TAKES_NO_ORGANISATIONS = "This ask is signed by individuals only."
ASK_TAKES_NO_INDIVIDUALS = "This ask is signed by organisations only."
NEW_ENTRY_STAGE = "New pipeline entries start as prospects or as invited."

# Stages after which no follow-up is planned.
_CLOSED_STAGES = {Stage.SIGNED, Stage.DECLINED, Stage.WITHDRAWN}


def _attribute(instance, user):
    """Name the user in the audit trail when there is no request to take it from."""
    if user is not None:
        instance._history_user = user


@transaction.atomic
def outreach_change_stage(*, outreach, stage, by=None, note="", at=None):
    """Move an outreach entry to `stage` and log a stage-change activity.

    Does nothing (and logs nothing) when the entry is already there. Raises
    ValidationError (TRANSITION_REFUSED, UNKNOWN_STAGE) for a move the pipeline does
    not allow. Returns the entry, refreshed.
    """
    if stage not in Stage.values:
        raise ValidationError({"stage": UNKNOWN_STAGE.format(stage=stage)}, code="unknown_stage")
    stage = Stage(stage)
    entry = Outreach.objects.select_for_update().get(pk=outreach.pk)
    if entry.stage == stage:
        return entry
    if not entry.can_move_to(stage):
        raise ValidationError(
            {
                "stage": TRANSITION_REFUSED.format(
                    from_stage=entry.get_stage_display(), to_stage=stage.label
                )
            },
            code="transition_refused",
        )

    at = at or timezone.now()
    from_stage = entry.stage
    entry.stage = stage
    entry.stage_changed_at = at
    changed = ["stage", "stage_changed_at", "updated_at"]
    if stage == Stage.INVITED and entry.invited_at is None:
        entry.invited_at = at
        changed.append("invited_at")
    if stage in _CLOSED_STAGES and entry.next_follow_up_on is not None:
        entry.next_follow_up_on = None
        changed.append("next_follow_up_on")
    _attribute(entry, by)
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
    return entry


def _matching_outreach(signature):
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
    status=Signature.Status.CONFIRMED,
    by=None,
):
    """Record that an organisation (with the person signing for it) or an individual
    signed `ask`, and move the matching outreach entry to signed.

    Recording a signer who already has a live signature updates that signature (the
    earliest signing date is kept) instead of adding another. Side effects: a signature
    activity, and a stage change on the matching outreach when the signature is
    confirmed. Raises ValidationError when the signer is missing or the ask does not take
    this kind of signer, or the signature is invalid; nothing is saved then.
    """
    _check_signer(ask, organisation, contact)
    signed_at = signed_at or timezone.now()
    fields = {
        "display_name": display_name or str(organisation or contact.full_name or contact),
        "role": role,
        "affiliation_text": affiliation_text,
        "country": country or getattr(organisation or contact, "country", ""),
        "source": source,
        "public": public,
        "status": status,
    }

    signature = _live_signature_of(ask=ask, organisation=organisation, contact=contact)
    if signature is None:
        signature = Signature(
            ask=ask, organisation=organisation, contact=contact, signed_at=signed_at, **fields
        )
        signature.full_clean(validate_constraints=False)
        _attribute(signature, by)
        try:
            with transaction.atomic():
                signature.save()
        except IntegrityError:
            # Someone recorded the same signer a moment ago: update theirs instead.
            signature = _live_signature_of(ask=ask, organisation=organisation, contact=contact)
            if signature is None:
                raise
            _update_signature(signature, fields, signed_at, contact, by)
    else:
        _update_signature(signature, fields, signed_at, contact, by)

    Activity.objects.create(
        kind=Activity.Kind.SIGNATURE,
        occurred_at=signed_at,
        actor=by,
        outreach=_matching_outreach(signature),
        organisation=organisation,
        contact=contact,
        summary=f"{signature.display_name} — {signature.get_status_display()}",
    )
    if signature.status == Signature.Status.CONFIRMED:
        entry = _matching_outreach(signature)
        if entry is not None:
            outreach_change_stage(outreach=entry, stage=Stage.SIGNED, by=by, at=signed_at)
    return signature


def _update_signature(signature, fields, signed_at, contact, by):
    for name, value in fields.items():
        setattr(signature, name, value)
    if contact is not None:
        signature.contact = contact
    signature.signed_at = min(signature.signed_at, signed_at)
    signature.full_clean(validate_constraints=False)
    _attribute(signature, by)
    signature.save()


@transaction.atomic
def signature_withdraw(*, signature, by=None, reason=""):
    """Withdraw a signature: it leaves every public output, and its outreach entry moves
    to withdrawn. Returns the signature; does nothing to one already withdrawn."""
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status == Signature.Status.WITHDRAWN:
        return signature
    was_confirmed = signature.status == Signature.Status.CONFIRMED
    signature.status = Signature.Status.WITHDRAWN
    signature.withdrawn_at = timezone.now()
    signature.status_reason = reason
    _attribute(signature, by)
    signature.save(update_fields=["status", "withdrawn_at", "status_reason", "updated_at"])
    entry = _matching_outreach(signature)
    if was_confirmed and entry is not None and entry.stage == Stage.SIGNED:
        outreach_change_stage(outreach=entry, stage=Stage.WITHDRAWN, by=by, note=reason)
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
    its primary contact. Returns TargetsAdded(added entries, skipped count).
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

    now = timezone.now()
    invited_at = now if stage == Stage.INVITED else None
    new_entries = [
        Outreach(
            ask=ask,
            organisation_id=organisation_id,
            contact_id=primary_contact.get(organisation_id),
            owner=owner,
            stage=stage,
            stage_changed_at=now,
            invited_at=invited_at,
        )
        for organisation_id in sorted(organisation_ids - organisation_ids_there)
    ] + [
        Outreach(
            ask=ask,
            contact_id=contact_id,
            owner=owner,
            stage=stage,
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
    _attribute(entry, by)
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
    if entry.stage in _CLOSED_STAGES:
        raise ValidationError(
            {"stage": REMINDER_CLOSED.format(stage=entry.get_stage_display())},
            code="reminder_closed",
        )
    _log(entry, Activity.Kind.REMINDER, by=by, at=at, summary=summary)
    entry = outreach_change_stage(outreach=entry, stage=Stage.FOLLOWED_UP, by=by, at=at)
    entry.follow_up_count += 1
    entry.next_follow_up_on = Cadence.for_ask(entry.ask).after_reminder(_local_day(at))
    _attribute(entry, by)
    entry.save(update_fields=["follow_up_count", "next_follow_up_on", "updated_at"])
    return entry


@transaction.atomic
def outreach_log_activity(*, outreach, kind, summary="", by=None, at=None):
    """Log a call, meeting, reply received or note on an entry's timeline. Returns the
    activity; raises ValidationError (NOT_LOGGABLE) for other kinds."""
    if kind not in LOGGABLE_KINDS:
        raise ValidationError({"kind": NOT_LOGGABLE.format(kind=kind)}, code="not_loggable")
    return _log(outreach, kind, by=by, at=at or timezone.now(), summary=summary)


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


@dataclass
class StageChanges:
    moved: list
    unchanged: list
    refused: list  # (entry, message)


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
            _attribute(entry, by)
            entry.save(update_fields=["next_follow_up_on", "updated_at"])
        moved.append(entry)
    return moved
