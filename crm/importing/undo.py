"""Undoing an import: what it created goes if nothing changed or used it since (a
signature the pipeline or staff acted on is withdrawn instead), what it updated gets its
earlier values back if they are still the imported ones. "Since" is after the import's
commit: its own steps never count."""

from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from crm.audit import log_import
from crm.models import ImportRecord
from outreach.rollups import rollup_tracked
from outreach.signature_cache import signatures_changed

CHANGED_SINCE = "changed since the import"
NOT_UNDOABLE = "Only a completed import can be undone."
IN_PIPELINE = "withdrawn, not removed: its pipeline entry moved to signed with it"
EDITED_SINCE = "withdrawn, not removed: it was edited since the import"
SIGNATURE_KEPT = "kept: it signed through a signature that stays (withdrawn)"
USED_SINCE = "kept: used since the import by {what}"

# Removed in this order: what points at a record goes before the record.
ORDER = [
    "outreach.signature",
    "outreach.activity",
    "outreach.outreach",
    "crm.affiliation",
    "crm.contact",
    "crm.organisation",
]


@dataclass
class UndoPlan:
    remove: list = field(default_factory=list)  # (label, instance)
    withdraw: list = field(default_factory=list)  # (signature, reason)
    restore: list = field(default_factory=list)  # (change, instance)
    kept: list = field(default_factory=list)  # (label, instance, reason)
    _removed: dict = field(default_factory=dict, repr=False)  # label -> ids in `remove`

    @property
    def counts(self):
        return {
            "remove": len(self.remove),
            "withdraw": len(self.withdraw),
            "restore": len(self.restore),
            "kept": len(self.kept),
        }

    def mark_removed(self, label, instance):
        self.remove.append((label, instance))
        self._removed.setdefault(label, set()).add(instance.pk)

    def removed_ids(self, label):
        """Kept as records are marked: read once per record checked, never rebuilt."""
        return self._removed.get(label, set())


def _changed_since(instance, record):
    updated = getattr(instance, "updated_at", None)
    return updated is not None and updated > record.committed_at


def _signature_step(signature, record):
    """Remove a signature the import made, unless the pipeline or staff acted on it since:
    then it is withdrawn, so what they did keeps its meaning."""
    from outreach.services import matching_outreach

    if matching_outreach(signature) is not None:
        return IN_PIPELINE
    if _changed_since(signature, record):
        return EDITED_SINCE
    return ""


def _used_since(label, instance, plan, created):
    """What, not made by the import (or made by it and staying), still uses this record."""
    signatures = plan.removed_ids("outreach.signature")
    activities = plan.removed_ids("outreach.activity")
    affiliations = plan.removed_ids("crm.affiliation")  # only what the import created
    if label == "outreach.outreach":
        if instance.activities.exists() or instance.stage_changed_at > record_of(instance):
            return USED_SINCE.format(what="its pipeline history")
        return ""
    if label not in ("crm.contact", "crm.organisation"):
        return ""
    if instance.signatures.exclude(pk__in=signatures).exists():
        ours = instance.signatures.filter(pk__in=created.get("outreach.signature", []))
        return SIGNATURE_KEPT if ours.exists() else USED_SINCE.format(what="a signature")
    outreach = instance.outreach.exclude(pk__in=plan.removed_ids("outreach.outreach"))
    if outreach.exists():
        return USED_SINCE.format(what="a pipeline entry")
    if instance.affiliations.exclude(pk__in=affiliations).exists():
        return USED_SINCE.format(what="an affiliation")
    if instance.activities.exclude(pk__in=activities).exists():
        return USED_SINCE.format(what="an activity")
    return ""


def record_of(instance):
    return instance._undo_record.committed_at


def _signature_activities(created):
    """The activity each removed signature recorded: write_signatures remembers them in
    step, one per signature it created."""
    return dict(
        zip(
            created.get("outreach.signature", []),
            created.get("outreach.activity", []),
            strict=False,
        )
    )


def undo_plan(record):
    plan = UndoPlan()
    created = record.created_ids or {}
    activities = _signature_activities(created)
    for label in ORDER:
        ids = created.get(label, [])
        if not ids:
            continue
        if label == "outreach.activity":
            ids = [
                activities[pk] for pk in plan.removed_ids("outreach.signature") if pk in activities
            ]
        model = apps.get_model(label)
        for instance in model.objects.filter(pk__in=ids).iterator(chunk_size=2000):
            instance._undo_record = record
            if label == "outreach.signature":
                reason = _signature_step(instance, record)
                if reason:
                    plan.withdraw.append((instance, reason))
                else:
                    plan.mark_removed(label, instance)
            elif label == "outreach.activity":
                plan.mark_removed(label, instance)
            elif _changed_since(instance, record):
                plan.kept.append((label, instance, CHANGED_SINCE))
            elif reason := _used_since(label, instance, plan, created):
                plan.kept.append((label, instance, reason))
            else:
                plan.mark_removed(label, instance)
    for change in record.changes.all():
        model = apps.get_model(change.model)
        instance = model.objects.filter(pk=change.object_id).first()
        if instance is None:
            continue
        current = {name: _text(getattr(instance, name)) for name in change.after}
        if current == change.after:
            plan.restore.append((change, instance))
        else:
            plan.kept.append((change.model, instance, CHANGED_SINCE))
    return plan


def _text(value):
    return "" if value is None else str(value)


@transaction.atomic
def import_undo(*, record, by=None):
    """Remove what the import created and restore what it updated, where nobody changed
    it since. Returns the UndoPlan carried out. Raises ValueError for an import that was
    not completed."""
    record = ImportRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != ImportRecord.Status.COMMITTED:
        raise ValueError(NOT_UNDOABLE)
    plan = undo_plan(record)
    from outreach.services import signature_withdraw

    for signature, _reason in plan.withdraw:
        # The pipeline and the reports follow a withdrawal.
        signature_withdraw(signature=signature, by=by, reason="Import undone")
    signatures = [i.pk for label, i in plan.remove if label == "outreach.signature"]
    signatures += [i.pk for change, i in plan.restore if change.model == "outreach.signature"]
    with rollup_tracked(signatures):  # the reports' counts follow removed and restored ones
        for _label, instance in plan.remove:
            instance._history_user = by
            instance.delete()
        for change, instance in plan.restore:
            for name, value in change.before.items():
                setattr(instance, name, value or _blank(instance, name))
            instance._history_user = by
            instance.save()
    signatures_changed(everything=True)  # organisations restored to what they were
    record.status = ImportRecord.Status.UNDONE
    record.undone_at = timezone.now()
    record._history_user = by
    record.save(update_fields=["status", "undone_at"])
    log_import(user=by, kind=record.kind, status="undone", counts=plan.counts, record_id=record.pk)
    return plan


def _blank(instance, name):
    field = instance._meta.get_field(name)
    return None if field.null else ""
