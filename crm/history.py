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
REMOVED = _("(removed)")


def attribute(instance, user):
    """Name `user` in the audit trail of `instance`'s next save or delete, for writes made
    outside a request (tasks, imports) or on someone's behalf. None leaves the default:
    the request's user, if any."""
    if user is not None:
        instance._history_user = user


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


def _changes(new, old, tracked, display):
    changes = []
    for model_field in tracked:
        after = getattr(new, model_field.attname)
        before = getattr(old, model_field.attname) if old is not None else None
        if old is not None and before == after:
            continue
        if old is None and after in (None, "", False, [], {}):
            continue  # a new record: list the fields it was given
        show = display.get(model_field.name)
        if show is None:

            def show(value, model_field=model_field):
                return _display(model_field, value)

        changes.append(
            Change(
                str(model_field.verbose_name),
                (show(before) or "—") if old is not None else "",
                show(after) or "—",
            )
        )
    return changes


def _object_label(obj):
    full_name = obj.get_full_name() if hasattr(obj, "get_full_name") else ""
    return full_name or str(obj)


def _related_names(window, tracked):
    """{field name: show(id)} naming the related records the window's rows point to:
    one query per foreign key, a removed one shown as such."""
    display = {}
    for model_field in tracked:
        if not model_field.is_relation:
            continue
        ids = {getattr(row, model_field.attname) for row in window} - {None}
        found = model_field.related_model._base_manager.in_bulk(ids) if ids else {}
        names = {pk: _object_label(obj) for pk, obj in found.items()}

        def show(value, names=names):
            return "—" if value is None else names.get(value, REMOVED)

        display[model_field.name] = show
    return display


def record_history(instance, limit=HISTORY_LIMIT, *, display=None, related_names=False):
    """The latest `limit` entries of `instance`'s history, newest first. `display` maps a
    field's name to how to show its value (a JSON field in words); with `related_names`
    a foreign key shows the related record's name (one query per foreign key) rather
    than its id."""
    rows = instance.history.select_related("history_user").order_by("-history_date", "-pk")
    total = rows.count()
    window = list(rows[: limit + 1]) if total else []
    tracked = [f for f in type(instance).history.model.tracked_fields if f.name not in {"id"}]
    display = {**(_related_names(window, tracked) if related_names else {}), **(display or {})}
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
                changes=_changes(row, older, tracked, display) if row.history_type != "-" else [],
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
