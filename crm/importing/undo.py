"""Undoing an import: what it created goes if nobody changed it since, what it updated
gets its earlier values back if they are still the imported ones."""

from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from crm.audit import log_import
from crm.models import ImportRecord
from outreach.signature_cache import signatures_changed

CHANGED_SINCE = "changed since the import"
IN_USE = "now used by a signature or pipeline entry"
NOT_UNDOABLE = "Only a completed import can be undone."

# Removed in this order: what points at a record goes before the record.
ORDER = [
    "outreach.signature",
    "outreach.outreach",
    "crm.affiliation",
    "crm.contact",
    "crm.organisation",
]


@dataclass
class UndoPlan:
    remove: list = field(default_factory=list)  # (label, instance)
    restore: list = field(default_factory=list)  # (change, instance)
    kept: list = field(default_factory=list)  # (label, instance, reason)

    @property
    def counts(self):
        return {"remove": len(self.remove), "restore": len(self.restore), "kept": len(self.kept)}


def _changed_since(instance, record):
    updated = getattr(instance, "updated_at", None)
    return updated is not None and updated > record.committed_at


def _in_use(label, instance, created):
    if label == "crm.contact":
        if instance.signatures.exists() or instance.outreach.exists():
            return True
        return instance.affiliations.exclude(pk__in=created.get("crm.affiliation", [])).exists()
    if label == "crm.organisation":
        if (
            instance.signatures.exists()
            or instance.outreach.exclude(pk__in=created.get("outreach.outreach", [])).exists()
        ):
            return True
        return instance.affiliations.exclude(pk__in=created.get("crm.affiliation", [])).exists()
    if label == "outreach.outreach":
        return instance.activities.exists() or instance.stage_changed_at > _committed(instance)
    return False


def _committed(instance):
    return instance._undo_record.committed_at


def undo_plan(record):
    plan = UndoPlan()
    created = record.created_ids or {}
    for label in ORDER:
        ids = created.get(label, [])
        if not ids:
            continue
        model = apps.get_model(label)
        for instance in model.objects.filter(pk__in=ids).iterator(chunk_size=2000):
            instance._undo_record = record
            if label == "outreach.signature":
                plan.remove.append((label, instance))
            elif _changed_since(instance, record):
                plan.kept.append((label, instance, CHANGED_SINCE))
            elif _in_use(label, instance, created):
                plan.kept.append((label, instance, IN_USE))
            else:
                plan.remove.append((label, instance))
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

    for label, instance in plan.remove:
        instance._history_user = by
        if label == "outreach.signature":
            # A signature is withdrawn, not erased: the pipeline and reports follow.
            signature_withdraw(signature=instance, by=by, reason="Import undone")
        else:
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
