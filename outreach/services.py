"""Operations on the pipeline and on signatures. Views, admin, API, imports and commands
all call these; nothing else assigns `Outreach.stage` or creates a Signature."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from crm.models import Affiliation
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
