"""An import as a campaigner reads it: the choices made, the mapping as "column → field",
each problem as a sentence naming its row and column, and the records it wrote by the
name of the organisation or contact they are about (never a raw id or stored JSON).

Reads a fixed number of queries per page: one per kind of record shown."""

from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator

from crm.importing.forms import DATE_CHOICES, POLICY_CHOICES, SIGNER_CHOICES
from crm.importing.mapping import FIELDS

REMOVED = "(removed)"
BLANK = "(blank)"
PAGE_SIZE = 50

# The figures of an import, in the order a person reads them.
COUNT_LABELS = [
    ("rows", "rows read"),
    ("new", "new"),
    ("updated", "updated"),
    ("unchanged", "unchanged"),
    ("merged", "merged duplicates"),
    ("skipped", "skipped (existing)"),
    ("warnings", "with warnings"),
    ("invalid", "with errors"),
    ("organisations_new", "new organisations"),
    ("organisations_matched", "matched organisations"),
    ("blank", "blank rows skipped"),
]


def rows_with_warnings(warnings):
    """How many rows of the file have a warning (a warning about the whole file is not a
    row's)."""
    return len({w.get("row") for w in warnings if isinstance(w, dict) and w.get("row")})


def problem_sentence(problem):
    """{'row': 4, 'column': 'Email', 'value': 'bad', 'reason': '…'} ->
    'Row 4, column “Email”: “bad” is not a valid e-mail address.'"""
    reason = str(problem.get("reason") or "").strip()
    value = str(problem.get("value") or "")
    if value and value not in reason:
        reason = f"{reason} (the cell holds “{value}”)"
    place = ", ".join(
        part
        for part in (
            f"Row {problem['row']}" if problem.get("row") else "",
            f"column “{problem['column']}”" if problem.get("column") else "",
        )
        if part
    )
    if not place:
        return reason
    return f"{place[0].upper()}{place[1:]}: {reason}"


def options_in_words(options):
    """[(what was chosen, the choice)] for the options an import ran with."""
    policies, dates, signers = dict(POLICY_CHOICES), dict(DATE_CHOICES), dict(SIGNER_CHOICES)
    chosen = []
    if options.get("sheet"):
        chosen.append(("Sheet", options["sheet"]))
    if options.get("policy") in policies:
        chosen.append(("Records that already exist", policies[options["policy"]]))
    day_first = options.get("day_first", options.get("proposed_day_first"))
    if day_first is not None:
        chosen.append(("Dates like 05/09/2023", dates["day" if day_first else "month"]))
    if "skip_invalid" in options:
        chosen.append(
            (
                "Invalid rows",
                "Skipped; the valid rows were imported"
                if options["skip_invalid"]
                else "Nothing imported while a row is invalid",
            )
        )
    if options.get("signers") in signers:
        chosen.append(("Organisations and individuals", signers[options["signers"]]))
    if options.get("published_url"):
        chosen.append(("Already listed publicly at", options["published_url"]))
    if options.get("stage"):
        chosen.append(("Stage of new pipeline entries", str(options["stage"]).capitalize()))
    if options.get("phone_region"):
        chosen.append(("Phone numbers without a country prefix", options["phone_region"]))
    return chosen


def options_text(options):
    return "; ".join(f"{what}: {choice}" for what, choice in options_in_words(options or {}))


def counts_text(counts):
    """'3 rows read, 1 new, 1 updated, 1 with errors': the figures that are not zero."""
    counts = counts or {}
    labels = dict(COUNT_LABELS)
    known = [key for key, _label in COUNT_LABELS if key in counts]
    other = sorted(key for key in counts if key not in labels)
    return ", ".join(
        f"{counts[key]} {labels.get(key, key.replace('_', ' '))}"
        for key in known + other
        if counts[key]
    )


# How the import's own history shows its JSON fields (crm.history.record_history).
HISTORY_DISPLAY = {"options": options_text, "counts": counts_text}


def mapping_rows(record):
    """[(column in the file, field it filled, or '' when ignored)]."""
    labels = dict(FIELDS.get(record.kind, []))
    return [
        (header, labels.get(chosen, ""))
        for header, chosen in zip(record.headers, record.mapping, strict=False)
    ]


# --- the records an import wrote, by name ---------------------------------------------------


@dataclass
class Link:
    text: str
    url: str = ""


@dataclass
class Item:
    """One record an import wrote: what it is about, linked, and (changes) what changed."""

    parts: list
    fields: list = field(default_factory=list)  # [(field label, before, after)]


def _person(contact):
    if contact is None or contact.erased_at:
        return Link(REMOVED)
    return Link(str(contact), contact.get_absolute_url())


def _organisation(organisation):
    if organisation is None:
        return Link(REMOVED)
    return Link(str(organisation), organisation.get_absolute_url())


def _ask(ask):
    return Link(str(ask), ask.get_absolute_url()) if ask else Link(REMOVED)


def _target(obj):
    """The organisation, else the person, a pipeline entry or signature is about."""
    if obj.organisation_id:
        return _organisation(obj.organisation)
    return _person(obj.contact)


def _activity(activity):
    about = activity.outreach or activity
    return [Link(activity.get_kind_display()), _target(about)]


def _outreach(entry):
    target = _target(entry)
    return [Link(target.text, entry.get_absolute_url() if target.url else ""), _ask(entry.ask)]


# model label -> (what to read with it, its parts)
SUBJECTS = {
    "crm.organisation": ((), lambda o: [_organisation(o)]),
    "crm.contact": ((), lambda c: [_person(c)]),
    "crm.affiliation": (
        ("contact", "organisation"),
        lambda a: [_person(a.contact), _organisation(a.organisation)],
    ),
    "outreach.signature": (
        ("organisation", "contact", "ask"),
        lambda s: [_target(s), _ask(s.ask)],
    ),
    "outreach.outreach": (("organisation", "contact", "ask"), _outreach),
    "outreach.activity": (
        ("outreach__organisation", "outreach__contact", "organisation", "contact"),
        _activity,
    ),
}


def _objects(label, ids):
    model = apps.get_model(label)
    related, _parts = SUBJECTS.get(label, ((), None))
    objects = model._base_manager.all()
    return (objects.select_related(*related) if related else objects).in_bulk(ids)


def _parts(label, obj):
    if obj is None:
        return [Link(REMOVED)]
    _related, parts = SUBJECTS.get(label, ((), None))
    if parts is None:
        return [Link(str(obj), getattr(obj, "get_absolute_url", lambda: "")())]
    return parts(obj)


def _field_label(label, name):
    try:
        return str(apps.get_model(label)._meta.get_field(name).verbose_name).capitalize()
    except FieldDoesNotExist:
        return name.replace("_", " ").capitalize()


def _value(value):
    if value in (None, "", [], {}):
        return BLANK
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items())
    return str(value)


def created_sections(record, query):
    """Per kind of record created: a page of them by name, removed ones said so."""
    sections = []
    for label, ids in (record.created_ids or {}).items():
        if not ids:
            continue
        page = Paginator(ids, PAGE_SIZE).get_page(query.get(f"page_{label}"))
        objects = _objects(label, list(page.object_list))
        sections.append(
            {
                "label": apps.get_model(label)._meta.verbose_name_plural,
                "key": label,
                "page": page,
                "items": [Item(_parts(label, objects.get(pk))) for pk in page.object_list],
                "total": len(ids),
            }
        )
    return sections


def changed_items(record, query):
    """A page of the records the import updated: each by name, with its fields' values
    before and after."""
    page = Paginator(record.changes.all(), PAGE_SIZE).get_page(query.get("page"))
    changes = list(page.object_list)
    wanted = {}
    for change in changes:
        wanted.setdefault(change.model, set()).add(change.object_id)
    objects = {label: _objects(label, list(ids)) for label, ids in wanted.items()}
    items = []
    for change in changes:
        names = list(dict.fromkeys([*change.before, *change.after]))
        items.append(
            Item(
                _parts(change.model, objects[change.model].get(change.object_id)),
                [
                    (
                        _field_label(change.model, name),
                        _value(change.before.get(name)),
                        _value(change.after.get(name)),
                    )
                    for name in names
                ],
            )
        )
    return page, items
