"""The audit trail of one record as its page shows it: the latest changes, each with who,
when and which fields went from what to what (django-simple-history keeps the rows).

Reads a fixed number of queries whatever the record's history holds: the count, then the
latest `limit` entries plus the one before them (to tell what the oldest shown changed),
with their users. Values are compared by their stored column (`attname`), so a foreign
key never costs a query; it shows as its id.
"""

import json
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

HISTORY_LIMIT = 10

KIND = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    date: object
    user: object
    kind: str
    kind_label: str
    reason: str
    changes: list = field(default_factory=list)


@dataclass
class History:
    entries: list
    total: int
    admin_url: str = ""

    @property
    def more(self):
        return self.total - len(self.entries)


def _display(model_field, value):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)[:300]
    choices = dict(model_field.flatchoices) if model_field.choices else {}
    if value in choices:
        return str(choices[value])
    if model_field.is_relation:
        return f"#{value}"
    if hasattr(value, "hour") and hasattr(value, "isoformat"):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _changes(new, old, tracked):
    changes = []
    for model_field in tracked:
        after = getattr(new, model_field.attname)
        before = getattr(old, model_field.attname) if old is not None else None
        if old is not None and before == after:
            continue
        if old is None and after in (None, "", False, [], {}):
            continue  # a new record: list the fields it was given
        changes.append(
            Change(
                str(model_field.verbose_name),
                _display(model_field, before) if old is not None else "",
                _display(model_field, after),
            )
        )
    return changes


def record_history(instance, limit=HISTORY_LIMIT):
    """The latest `limit` entries of `instance`'s history, newest first."""
    rows = instance.history.select_related("history_user").order_by("-history_date", "-pk")
    total = rows.count()
    window = list(rows[: limit + 1]) if total else []
    tracked = [f for f in type(instance).history.model.tracked_fields if f.name not in {"id"}]
    entries = []
    for index, row in enumerate(window[:limit]):
        older = window[index + 1] if index + 1 < len(window) else None
        if row.history_type == "+":
            older = None
        entries.append(
            Entry(
                date=row.history_date,
                user=row.history_user,
                kind=row.history_type,
                kind_label=KIND.get(row.history_type, row.history_type),
                reason=row.history_change_reason or "",
                changes=_changes(row, older, tracked) if row.history_type != "-" else [],
            )
        )
    try:
        admin_url = reverse(
            f"admin:{instance._meta.app_label}_{instance._meta.model_name}_history",
            args=[instance.pk],
        )
    except NoReverseMatch:
        admin_url = ""
    return History(entries=entries, total=total, admin_url=admin_url)
