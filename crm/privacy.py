"""What the CRM holds about a person and where: the registry that export, erasure and
retention walk, and the suppression of erased e-mail addresses.

Every model with fields that can hold something about a person is either a `Holder`
in REGISTRY (how to find the person's rows, which fields are cleared on them, which
free-text and JSON fields are cleaned of the person's name, e-mail and phone wherever
they appear) or in NOT_PERSONAL with the reason. tests/crm/test_privacy_registry.py
fails when a model or a text field is in neither.
"""

import hmac
import io
import itertools
from dataclasses import dataclass, field
from hashlib import sha256

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import EmailField, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy

from crm.mentions import ERASED, Identifiers, fold, json_without_contact_details, strings_in
from crm.signals import contact_erased
from crm.spreadsheets import neutralise_formula
from crm.text import normalise_email
from outreach.signature_cache import signatures_changed

ERASED_FIRST_NAME = "Erased"
ERASED_LAST_NAME = "person"
ERASED_SIGNATORY = "Erased signatory"


@dataclass(frozen=True)
class Holder:
    label: str  # "crm.contact"
    # Lookups from this model to the contact's primary key; a row matching any is theirs.
    person: tuple = ()
    # Written on the person's own rows at erasure.
    erase: dict = field(default_factory=dict)
    # Text fields cleaned of the person's identifiers in every row.
    scrub: tuple = ()
    # JSON fields cleaned likewise (strings anywhere inside them).
    json: tuple = ()
    # Text fields that hold nothing about a person, with why.
    not_personal: dict = field(default_factory=dict)
    # Narrows `person` where the model holds other kinds of rows too.
    person_filter: dict = field(default_factory=dict)

    @property
    def model(self):
        return apps.get_model(self.label)

    def rows_of(self, contact_pk):
        query = Q()
        for lookup in self.person:
            query |= Q(**{lookup: contact_pk})
        if not self.person:
            return None
        return self.model._default_manager.filter(query, **self.person_filter)


_HISTORY = {"history_change_reason": "written by staff about the change; cleaned below"}
_CONTACT_ERASE = {
    "first_name": ERASED_FIRST_NAME,
    "last_name": ERASED_LAST_NAME,
    "email": None,
    "phone": "",
    "expertise": "",
    "notes": "",
    "country": "",
    "preferred_language": "",
}
_ORGANISATION_PUBLIC = {
    "acronym": "the organisation's public short name",
    "city": "the organisation's public seat",
    "website": "the organisation's public website",
    "domain": "derived from the website",
}

REGISTRY = [
    Holder(
        "crm.contact",
        person=("pk",),
        erase=_CONTACT_ERASE,
        # Another contact's notes may hold the person's address ("Introduced by ana@…").
        scrub=("notes", "expertise"),
        not_personal={"search_text": "rebuilt from the erased names at erasure"},
    ),
    Holder(
        "crm.historicalcontact",
        person=("id",),
        erase={**_CONTACT_ERASE, "history_change_reason": ""},
        scrub=("notes", "expertise", "history_change_reason"),
    ),
    Holder("crm.affiliation", person=("contact",), erase={"role": ""}),
    Holder(
        "crm.historicalaffiliation",
        person=("contact_id",),
        erase={"role": "", "history_change_reason": ""},
        scrub=("history_change_reason",),
    ),
    Holder(
        "crm.consentrecord",
        person=("contact",),
        erase={"source": ERASED},
        scrub=("source",),
        not_personal={
            "text_version": "the version of a notice shown to everyone",
            "text": "the notice as shown to everyone",
        },
    ),
    Holder(
        "crm.historicalconsentrecord",
        person=("contact_id",),
        erase={"source": ERASED, "history_change_reason": ""},
        scrub=("source", "history_change_reason"),
        not_personal={
            "text_version": "the version of a notice shown to everyone",
            "text": "the notice as shown to everyone",
        },
    ),
    Holder(
        "crm.organisation",
        scrub=("name", "email", "notes"),
        not_personal={**_ORGANISATION_PUBLIC, "search_text": "rebuilt after cleaning"},
    ),
    Holder(
        "crm.historicalorganisation",
        scrub=("name", "email", "notes", "history_change_reason"),
        not_personal=_ORGANISATION_PUBLIC,
    ),
    Holder(
        "crm.savedview",
        scrub=("name", "query"),
    ),
    Holder(
        "crm.importrecord",
        scrub=("file_name", "message"),
        json=("errors", "warnings", "headers"),
        not_personal={
            "sha256": "a hash of the file",
            "data": "the file, kept only until imported or abandoned; dropped at erasure "
            "when it names the person (erase_import_files)",
            "table": "the file as read, kept and dropped with it (erase_import_files)",
            "options": "the choices made for the import",
            "mapping": "which column is which field",
            "counts": "numbers of rows",
            "created_ids": "record ids",
        },
    ),
    Holder(
        # A contact merged into the person: its old label and e-mail still point to them.
        "crm.mergedrecord",
        person=("survivor_id",),
        person_filter={"kind": "contact"},
        erase={"old_label": ERASED, "email": None, "name_keys": [], "domain": ""},
        scrub=("old_label",),
    ),
    Holder(
        # The audit trail of imports keeps only who, when, the file's name, the choices
        # and the counts (crm.models.ImportRecord.history excludes the rows and errors).
        "crm.historicalimportrecord",
        scrub=("file_name", "message", "history_change_reason"),
        not_personal={
            "sha256": "a hash of the file",
            "options": "the choices made for the import",
            "counts": "numbers of rows",
        },
    ),
    Holder(
        # A large export's file: any of them may hold the person, so every erasure
        # deletes them all (a copy is made again in a minute if still needed).
        "crm.exportfile",
        scrub=("query",),
        not_personal={
            "kind": "what was exported",
            "file_format": "csv or xlsx",
            "file_name": "the kind, the ask's short name and the date",
            "content": "deleted at every erasure and when it expires (erase_export_files)",
            "message": "why the export failed",
        },
    ),
    Holder(
        "crm.importchange",
        json=("before", "after"),
        not_personal={"model": "a model's name"},
    ),
    Holder(
        "outreach.outreach",
        person=("contact",),
        scrub=("notes",),
    ),
    Holder(
        "outreach.historicaloutreach",
        person=("contact_id",),
        scrub=("notes", "history_change_reason"),
    ),
    Holder(
        "outreach.activity",
        person=("contact", "outreach__contact"),
        scrub=("summary",),
    ),
    Holder(
        "outreach.signature",
        person=("contact",),
        erase={
            "role": "",
            "affiliation_text": "",
            "public_source": "",  # where the person was listed: leads back to them
            "pending_changes": {},
            "confirm_nonce": "",
            "withdraw_nonce": "",
            "confirmation_email_error": "",  # a mail server's refusal may quote the address
        },
        scrub=("display_name", "status_reason"),
        json=("pending_changes",),
        not_personal={
            "confirm_nonce": "a random secret of a link; cleared at erasure",
            "withdraw_nonce": "a random secret of a link; cleared at erasure",
        },
    ),
    Holder(
        "outreach.historicalsignature",
        person=("contact_id",),
        erase={"role": "", "affiliation_text": "", "public_source": ""},
        scrub=("display_name", "status_reason", "history_change_reason"),
    ),
    Holder(
        "outreach.deliverysnapshot",
        json=("rows",),
        not_personal={
            "title": "the statement's title",
            "statement": "the statement's text",
        },
    ),
    Holder(
        "outreach.emailbatch",
        json=("problems",),
        not_personal={
            "outreach_ids": "record ids",
            "sent_ids": "record ids",
            "base_url": "the site's address",
        },
    ),
    Holder(
        "admin.logentry",
        scrub=("object_repr", "change_message"),
        not_personal={"object_id": "a record's id"},
    ),
    Holder(
        "django_tasks_database.dbtaskresult",
        json=("args_kwargs", "return_value"),
        scrub=("traceback",),
        not_personal={
            "task_path": "the name of a task function",
            "worker_ids": "ids of worker processes",
            "queue_name": "a queue's name",
            "backend_name": "a backend's name",
            "exception_class_path": "the name of an exception class",
        },
    ),
]

NOT_PERSONAL = {
    "auth.user": "staff accounts, managed by admins; staff are not the CRM's data subjects",
    "auth.group": "names of the staff roles",
    "auth.permission": "names of permissions",
    "contenttypes.contenttype": "names of apps and models",
    "sessions.session": "staff sign-in sessions, ending after 12 hours",
    "axes.accessattempt": "failed staff sign-ins (user name, address); expire with the lockout",
    "axes.accessfailurelog": "failed staff sign-ins (user name, address)",
    "axes.accesslog": "staff sign-ins (not kept: AXES_DISABLE_ACCESS_LOG)",
    "axes.accessattemptexpiration": "lockout expiry times only",
    "accounts.apitoken": "staff API tokens: a name given by the staff member and a hash",
    "otp_totp.totpdevice": "staff authenticator-app secrets for two-step sign-in",
    "crm.tag": "tag names chosen by staff",
    "crm.savedmapping": "spreadsheet column headings and the fields they map to",
    "crm.suppression": "keyed hashes of erased e-mails, by design",
    "outreach.campaign": "campaign names and descriptions written by staff",
    "outreach.ask": "a statement's title and text",
    "outreach.statementversion": "a statement's title and text as signed",
    "outreach.asktranslation": "a statement's title and text in another language",
    "outreach.askholiday": "days off in an ask's cadence",
    "outreach.signaturedailybreakdown": "counts of signatures per day and country or source",
    "outreach.messagetemplate": "message templates with merge fields, no person's data",
    "outreach.historicalmessagetemplate": "message templates with merge fields",
}


# --- suppression --------------------------------------------------------------------------


def _peppers():
    # The pepper is derived from the secret key; old keys still match while listed in
    # SECRET_KEY_FALLBACKS, so rotating the key does not forget suppressions at once.
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [sha256(f"coalition.suppression:{key}".encode()).digest() for key in keys]


def email_digest(email, pepper=None):
    """HMAC-SHA-256 of the normalised e-mail, keyed by a pepper from SECRET_KEY."""
    pepper = pepper or _peppers()[0]
    return hmac.new(pepper, normalise_email(email).encode(), sha256).hexdigest()


def suppressed_digests(emails):
    """The subset of `emails` (normalised) whose address was erased on request."""
    from crm.models import Suppression

    by_digest = {}
    for email in {normalise_email(e) for e in emails if e}:
        for pepper in _peppers():
            by_digest[email_digest(email, pepper)] = email
    found = set()
    digests = list(by_digest)
    for start in range(0, len(digests), 900):
        chunk = digests[start : start + 900]
        found.update(Suppression.objects.filter(digest__in=chunk).values_list("digest", flat=True))
    return {by_digest[d] for d in found}, found


def digests_of(email):
    """The digests `email` may be stored under (one per key still accepted)."""
    return {email_digest(email, pepper) for pepper in _peppers()}


def is_suppressed(email):
    return bool(email) and bool(suppressed_digests([email])[0])


def suppression_note_matches(emails):
    """Count a return of suppressed addresses (for the staff report). Returns how many."""
    from django.db.models import F

    from crm.models import Suppression

    _, digests = suppressed_digests(emails)
    if digests:
        Suppression.objects.filter(digest__in=digests).update(
            matches=F("matches") + 1, last_matched_at=timezone.now()
        )
    return len(digests)


def admin_log_rows_of(contact_pk):
    content_type = ContentType.objects.get_for_model(apps.get_model("crm.contact"))
    return LogEntry.objects.filter(content_type=content_type, object_id=str(contact_pk))


# --- reading what is held -----------------------------------------------------------------


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, bytes | memoryview):
        return f"<file of {len(value)} bytes>"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# Secrets of links and derived search columns: not data about the person.
_NOT_EXPORTED = {"confirm_nonce", "withdraw_nonce", "search_text"}


def _row(obj):
    return {
        f.attname: _plain(getattr(obj, f.attname))
        for f in obj._meta.concrete_fields
        if f.name not in _NOT_EXPORTED
    }


def _mentions(value, identifiers):
    return identifiers.mentions_name(value) or any(
        identifiers.holds_contact_details(text) for text in strings_in(value)
    )


def mentioning_rows(entry, identifiers):
    """(object, [fields that mention the person]) for rows of `entry` naming them in
    free text or JSON (their e-mail, phone, full name or family name), found with a wide
    query and checked in Python."""
    if not (entry.scrub or entry.json):
        return
    names = [*entry.scrub, *entry.json]
    for obj in _candidates(entry, identifiers, names=True).iterator():
        hits = [name for name in names if _mentions(getattr(obj, name), identifiers)]
        if hits:
            yield obj, hits


def _only_mentions(value, identifiers):
    if isinstance(value, list):
        return [item for item in value if _mentions(item, identifiers)]
    return value


def subject_export(*, contact):
    """Everything held on `contact`: their rows in every registered model, and the
    fields of other rows that mention their name, e-mail or phone (of a list, only the
    items that do: an import's invalid rows naming them, not the whole report)."""
    identifiers = person_identifiers(contact)
    records = {}
    for entry in REGISTRY:
        rows, seen = [], set()
        own = entry.rows_of(contact.pk)
        if own is not None:
            for obj in own.order_by("pk"):
                seen.add(obj.pk)
                rows.append(_row(obj))
        for obj, hits in mentioning_rows(entry, identifiers):
            if obj.pk in seen:
                continue
            row = {"id": obj.pk, "mentions": hits}
            row.update(
                {name: _only_mentions(_plain(getattr(obj, name)), identifiers) for name in hits}
            )
            rows.append(row)
        if entry.label == "admin.logentry":
            rows += [
                _row(obj)
                for obj in admin_log_rows_of(contact.pk).order_by("pk")
                if obj.pk not in {row["id"] for row in rows}
            ]
        if rows:
            records[entry.label] = rows
    return {
        "exported_at": timezone.now().isoformat(),
        "person": _row(contact),
        "tags": list(contact.tags.values_list("name", flat=True)),
        "records": records,
    }


def subject_export_csv_rows(export):
    """The export as (table, record id, field, value) rows, one per value."""
    yield ["table", "record", "field", "value"]
    for name, value in export["person"].items():
        yield ["crm.contact (person)", export["person"]["id"], name, _cell(value)]
    for tag in export["tags"]:
        yield ["crm.contact (person)", export["person"]["id"], "tag", _cell(tag)]
    for label, rows in export["records"].items():
        for row in rows:
            for name, value in row.items():
                if name != "id":
                    yield [label, row.get("id", ""), name, _cell(value)]


def _cell(value):
    import json as jsonlib

    if isinstance(value, list | dict):
        value = jsonlib.dumps(value, ensure_ascii=False)
    value = "" if value is None else str(value)
    # A cell never runs as a formula in a spreadsheet.
    return neutralise_formula(value)


# --- erasure ------------------------------------------------------------------------------

# Written on another record's history when the person's address or number is taken out of it.
CONTACT_DETAILS_REMOVED = "An erased person's e-mail or phone removed"
FILE_DROPPED = "The file was dropped: it held data of a person erased on request."
# The review list shown after an erasure stops here; the page says how many more.
REVIEW_LIMIT = 200


@dataclass
class Erased:
    contact_id: int
    rows: dict  # model label -> rows changed
    suppressed: bool
    # (model label, record id, fields) of records that still name the person in text: the
    # name may be someone else's too, so an admin reviews them (see names_to_review).
    review: list = field(default_factory=list)


def _name_forms(first, last):
    first, last = (first or "").strip(), (last or "").strip()
    if (first, last) == (ERASED_FIRST_NAME, ERASED_LAST_NAME):
        return set()
    forms = {f"{first} {last}".strip()}
    if first and last:
        forms |= {f"{last} {first}", f"{last}, {first}", last}
    return forms


def person_identifiers(contact):
    """What names `contact` (crm.mentions.Identifiers): every e-mail and phone it has
    had (its row, its history, contacts merged into it) and its names, as written on the
    contact and on its individual signatures."""
    from crm.models import MergedRecord
    from outreach.models import Signature

    past = list(contact.history.values_list("email", "phone", "first_name", "last_name"))
    merged = MergedRecord.objects.filter(kind="contact", survivor_id=contact.pk)
    emails = {contact.email, *(row[0] for row in past), *merged.values_list("email", flat=True)}
    phones = {contact.phone, *(row[1] for row in past)}
    names = _name_forms(contact.first_name, contact.last_name)
    for _, _, first, last in past:
        names |= _name_forms(first, last)
    signed = Signature.objects.filter(contact=contact.pk, organisation=None)
    names |= set(signed.values_list("display_name", flat=True)) - {ERASED_SIGNATORY}
    return Identifiers.of(emails=emails, phones=phones, names=names)


def _candidates(entry, identifiers, *, contact_details=True, names=False):
    """Rows of `entry` whose text or JSON may hold the person's details or name: a wide
    database search, checked again in Python by the caller."""
    fields = [*entry.scrub, *entry.json]
    query, annotations = Q(), {}
    for name in fields:
        spellings = set()
        if contact_details:
            spellings |= identifiers.contact_spellings()
            if identifiers.phone_regexes():
                annotations[f"_text_{name}"] = Cast(name, TextField())
                for regex in identifiers.phone_regexes():
                    query |= Q(**{f"_text_{name}__regex": regex})
        if names:
            spellings |= identifiers.name_spellings()
        for spelling in spellings:
            query |= Q(**{f"{name}__icontains": spelling})
    if not query:
        return entry.model._default_manager.none()
    rows = entry.model._default_manager.annotate(**annotations).filter(query)
    return rows.only("pk", *fields).order_by("pk")


def _holds(value, identifiers):
    return any(identifiers.holds_contact_details(text) for text in strings_in(value))


def _import_rows_of_person(record, identifiers):
    """An import report's items about the person: every item of a row in which one
    item holds their e-mail or phone (the row is theirs, its other cells too)."""
    items = [i for i in (*record.errors, *record.warnings) if isinstance(i, dict)]
    theirs = {item.get("row") for item in items if _holds(item, identifiers)}
    theirs.discard(None)

    def clean(report):
        return [
            {k: (ERASED if k == "value" and v else v) for k, v in item.items()}
            if isinstance(item, dict) and item.get("row") in theirs
            else item
            for item in report
        ]

    return clean(record.errors), clean(record.warnings)


def _without_contact_details(entry, obj, identifiers):
    """The changed fields of `obj` once the person's e-mails and phones are out."""
    model = entry.model
    original = {name: getattr(obj, name) for name in (*entry.json, *entry.scrub)}
    working = dict(original)
    if entry.label == "crm.importrecord":
        working["errors"], working["warnings"] = _import_rows_of_person(obj, identifiers)
    changes = {}
    for name in entry.json:
        changes[name] = json_without_contact_details(working[name], identifiers)
    for name in entry.scrub:
        value = working[name]
        if not identifiers.holds_contact_details(value):
            continue
        model_field = model._meta.get_field(name)
        if isinstance(model_field, EmailField):
            changes[name] = ""  # an address with a word replaced is no address
        else:
            cleaned = identifiers.remove_contact_details(value)
            changes[name] = cleaned[: model_field.max_length] if model_field.max_length else cleaned
    return {name: value for name, value in changes.items() if value != original[name]}


def _remove_contact_details_everywhere(identifiers, *, by, counts):
    """Take the person's exact e-mails and phones out of every registered text and JSON
    field of every row. A record that keeps history gets a history row saying who
    removed them and why (its earlier history rows are cleaned too, by the same pass)."""
    from simple_history.utils import bulk_update_with_history

    for entry in REGISTRY:
        if not (entry.scrub or entry.json):
            continue
        changed, fields = [], set()
        for obj in _candidates(entry, identifiers).iterator():
            changes = _without_contact_details(entry, obj, identifiers)
            if changes:
                for name, value in changes.items():
                    setattr(obj, name, value)
                changed.append(obj)
                fields |= set(changes)
        if not changed:
            continue
        model = entry.model
        if hasattr(model, "history") and not entry.label.split(".")[1].startswith("historical"):
            bulk_update_with_history(
                changed,
                model,
                sorted(fields),
                default_user=by,
                default_change_reason=CONTACT_DETAILS_REMOVED,
            )
        else:
            model._default_manager.bulk_update(changed, sorted(fields))
        if hasattr(model._default_manager, "refresh_search_text"):
            model._default_manager.filter(pk__in=[o.pk for o in changed]).refresh_search_text()
        counts[entry.label] = counts.get(entry.label, 0) + len(changed)


def _signatory_rows_of(contact_pk):
    """(ask id, folded name) of each individual signature of the person, as listed."""
    from outreach.models import Signature

    rows = set()
    for manager in (Signature.objects, Signature.history):
        signed = manager.filter(contact_id=contact_pk, organisation_id=None)
        rows |= {(ask, fold(name)) for ask, name in signed.values_list("ask_id", "display_name")}
    return rows


def _erase_snapshot_rows(signatory_rows, counts):
    """The person's own lines in delivery snapshots: the individual line under one of
    their listed names on an ask they signed. Other lines are left as delivered."""
    from outreach.models import DeliverySnapshot

    names_by_ask = {}
    for ask, name in signatory_rows:
        names_by_ask.setdefault(ask, set()).add(name)
    for snapshot in DeliverySnapshot.objects.filter(ask__in=names_by_ask).only("ask", "rows"):
        names = names_by_ask[snapshot.ask_id]
        rows = [
            {**row, "name": ERASED_SIGNATORY, "affiliation": "", "country": "", "website": ""}
            if isinstance(row, dict)
            and row.get("kind") == "individual"
            and fold(str(row.get("name", ""))) in names
            else row
            for row in snapshot.rows
        ]
        if rows != snapshot.rows:
            DeliverySnapshot.objects.filter(pk=snapshot.pk).update(rows=rows)
            counts["outreach.deliverysnapshot"] = counts.get("outreach.deliverysnapshot", 0) + 1


def _own_records(contact_pk):
    """(model label, ids) of the records that are the person's: what the import's
    recorded changes and the admin log refer to."""
    from crm.models import Affiliation, ConsentRecord
    from outreach.models import Signature

    return {
        "crm.contact": [contact_pk],
        "crm.affiliation": list(
            Affiliation.objects.filter(contact=contact_pk).values_list("pk", flat=True)
        ),
        "crm.consentrecord": list(
            ConsentRecord.objects.filter(contact=contact_pk).values_list("pk", flat=True)
        ),
        "outreach.signature": list(
            Signature.objects.filter(contact=contact_pk, organisation=None).values_list(
                "pk", flat=True
            )
        ),
    }


def _erase_import_changes_and_log(own, counts):
    """Recorded import changes and admin log entries of the person's own records: each
    value replaced whole."""
    from crm.models import ImportChange

    for label, ids in own.items():
        if not ids:
            continue
        changes = ImportChange.objects.filter(model=label, object_id__in=ids)
        erased = []
        for change in changes.only("before", "after"):
            change.before = {k: (ERASED if v else v) for k, v in change.before.items()}
            change.after = {k: (ERASED if v else v) for k, v in change.after.items()}
            erased.append(change)
        ImportChange.objects.bulk_update(erased, ["before", "after"])
        counts["crm.importchange"] = counts.get("crm.importchange", 0) + len(erased)
        content_type = ContentType.objects.get_for_model(apps.get_model(label))
        LogEntry.objects.filter(
            content_type=content_type, object_id__in=[str(pk) for pk in ids]
        ).update(
            object_repr=f"{ERASED_FIRST_NAME} {ERASED_LAST_NAME}"
            if label == "crm.contact"
            else ERASED
        )


def _erase_individual_records(contact_pk, counts):
    """What is about the person alone: their individual signatures (kept, so counts hold,
    but unnamed and not listed), notes and timelines of individual outreach, the
    activities logged on their contact."""
    from outreach.models import Activity, Outreach, Signature

    individual = Signature.objects.filter(contact=contact_pk, organisation=None)
    counts["outreach.signature"] = individual.update(
        display_name=ERASED_SIGNATORY, public=False, status_reason=""
    )
    Signature.history.filter(contact_id=contact_pk, organisation_id=None).update(
        display_name=ERASED_SIGNATORY, public=False, status_reason="", history_change_reason=""
    )
    Outreach.objects.filter(contact=contact_pk, organisation=None).update(notes="")
    Outreach.history.filter(contact_id=contact_pk, organisation_id=None).update(
        notes="", history_change_reason=""
    )
    counts["outreach.activity"] = Activity.objects.filter(
        Q(outreach__contact=contact_pk, outreach__organisation=None)
        | Q(contact=contact_pk, outreach=None, organisation=None)
    ).update(summary="")


# --- kept import files: read outside the erasure's transaction ------------------------------


def _table_texts(data):
    """The text of the copy an import read from its file: its columns and every cell."""
    from crm.importing.reading import unpack_table

    table = unpack_table(data)
    yield "\n".join(
        "\t".join(str(cell) for cell in cells)
        for cells in [table.headers, *(row.cells for row in table.rows)]
    )


def _file_texts(data):
    """The text of a kept import file, every part of it: each sheet of a workbook and
    its shared strings (rows above the header too), or the whole CSV."""
    import zipfile
    from html import unescape

    from crm.importing.reading import decode, is_xlsx

    if is_xlsx(data):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            archive = None
        if archive is not None:
            for member in archive.namelist():
                if member.endswith(".xml"):
                    yield unescape(archive.read(member).decode("utf-8", "replace"))
            return
    yield decode(data)[0]


@dataclass
class FileScan:
    seen: dict = field(default_factory=dict)  # import id -> sha256 of the file read
    holding: set = field(default_factory=set)  # ids whose file holds an e-mail or phone
    naming: set = field(default_factory=set)  # ids whose file names the person


def scan_import_files(identifiers, scan=None):
    """Read every kept import file (one at a time, no transaction) for the person's
    e-mails and phones, and their name. With `scan`, only files not read by it."""
    from crm.models import ImportRecord

    scan = scan or FileScan()
    kept = ImportRecord.objects.holding_a_file().values_list("pk", "sha256")
    for pk, digest in list(kept.order_by("pk")):
        if scan.seen.get(pk) == digest:
            continue
        data, table = ImportRecord.objects.filter(pk=pk).values_list("data", "table").first() or (
            b"",
            b"",
        )
        scan.seen[pk] = digest
        texts = itertools.chain(
            _file_texts(bytes(data)) if data else (), _table_texts(table) if table else ()
        )
        for text in texts:
            if identifiers.holds_contact_details(text):
                scan.holding.add(pk)
            if identifiers.mentions_name(text):
                scan.naming.add(pk)
    return scan


def drop_import_files(scan, pks):
    """Drop the kept files of `pks` read by `scan`, if still the file that was read."""
    from crm.models import ImportRecord

    dropped = 0
    for pk in pks:
        dropped += (
            ImportRecord.objects.holding_a_file()
            .filter(pk=pk, sha256=scan.seen[pk])
            .update(data=b"", table=b"", message=FILE_DROPPED)
        )
    return dropped


# --- the name: pointed out, never rewritten -------------------------------------------------


def names_to_review(identifiers, *, exclude=()):
    """(model label, record id, fields) of records whose text or JSON names the person
    (any Unicode form or case, whole words), apart from `exclude` ((label, id) pairs).
    Nothing is changed: "Zoë" or "Erasmus" may be someone else's."""
    review = []
    for entry in REGISTRY:
        if not (entry.scrub or entry.json) or not identifiers.names:
            continue
        rows = _candidates(entry, identifiers, contact_details=False, names=True)
        for obj in rows.iterator():
            if (entry.label, obj.pk) in exclude:
                continue
            hits = [
                name
                for name in (*entry.scrub, *entry.json)
                if identifiers.mentions_name(getattr(obj, name))
            ]
            if hits:
                review.append((entry.label, obj.pk, hits))
    return review


ALREADY_ERASED = gettext_lazy("This person's data is already erased.")


def subject_erase(*, contact, by=None, suppress=True, reason="Erased on request"):
    """Anonymise `contact`: the records that are theirs get whole values replaced —
    the contact and its history, their signatures (kept so counts hold; individual ones
    unnamed and not listed) and their lines in delivery snapshots, consents (withdrawn),
    affiliations' roles, notes and timelines of their individual outreach, their rows in
    import reports and recorded import changes, their admin log entries. Their exact
    e-mail addresses and phone numbers are removed from every other record's text and
    JSON (with a history row where the record keeps history), a kept import file
    holding one is dropped, and every kept export file is deleted. Their name is not
    rewritten anywhere else: the records that still hold it are returned in
    `Erased.review` for an admin to look at.

    Kept import files are read before the transaction and again after it (for files
    uploaded meanwhile), never inside it, so the database is locked only for the rows.
    With `suppress`, a keyed hash of their e-mail is kept (Suppression). Returns Erased.
    Raises ValidationError (ALREADY_ERASED) for a person erased before."""
    from django.db import transaction

    from crm.models import ConsentRecord, Contact, Suppression

    identifiers = person_identifiers(contact)
    files = scan_import_files(identifiers)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if contact.erased_at is not None:  # also when another erasure just won the lock
            raise ValidationError(ALREADY_ERASED, code="already_erased")
        email = contact.email
        counts = {}
        now = timezone.now()
        own = _own_records(contact.pk)
        signatory_rows = _signatory_rows_of(contact.pk)
        _erase_individual_records(contact.pk, counts)
        _erase_snapshot_rows(signatory_rows, counts)
        _erase_import_changes_and_log(own, counts)
        ConsentRecord.objects.filter(contact=contact, withdrawn_at__isnull=True).update(
            withdrawn_at=now
        )
        for entry in REGISTRY:
            if entry.erase and entry.label != "crm.contact":
                changed = entry.rows_of(contact.pk).update(**entry.erase)
                counts[entry.label] = counts.get(entry.label, 0) + changed

        for name, value in _CONTACT_ERASE.items():
            setattr(contact, name, value)
        contact.erased_at = now
        contact.tags.clear()
        contact._history_user = by
        contact._change_reason = reason
        contact.save()
        counts["crm.contact"] = 1
        # The history keeps that the record changed, by whom and why, but no old values.
        contact.history.update(**_CONTACT_ERASE)
        _remove_contact_details_everywhere(identifiers, by=by, counts=counts)
        dropped = drop_import_files(files, files.holding)
        counts["crm.exportfile (files)"] = erase_export_files()
        if suppress and email:
            Suppression.objects.get_or_create(digest=email_digest(email))
        # Their name leaves the public lists now, not when the cache expires.
        signatures_changed(everything=True)
        contact_erased.send(sender=Contact, contact_id=contact.pk)
    # Files uploaded while the first read ran: a suppressed address is reported by the
    # import from now on, and these are read again here, outside the transaction.
    before = set(files.holding)
    files = scan_import_files(identifiers, files)
    dropped += drop_import_files(files, files.holding - before)
    counts["crm.importrecord (files)"] = dropped
    review = names_to_review(identifiers)
    review += [("crm.importrecord", pk, ["data"]) for pk in sorted(files.naming - files.holding)]
    return Erased(contact.pk, counts, bool(suppress and email), review)


def erase_export_files():
    """Delete every kept export file: each may hold the person being erased."""
    from crm.models import ExportFile

    deleted, _ = ExportFile.objects.all().delete()
    return deleted


def erasure_review(contact):
    """Before an erasure: the records other than the contact itself whose text names
    them, and kept import files naming them but holding neither their e-mail nor phone
    (those are dropped anyway), for the erasure page."""
    identifiers = person_identifiers(contact)
    history_ids = set(contact.history.values_list("history_id", flat=True))
    exclude = {("crm.contact", contact.pk)} | {("crm.historicalcontact", h) for h in history_ids}
    files = scan_import_files(identifiers)
    return names_to_review(identifiers, exclude=exclude) + [
        ("crm.importrecord", pk, ["data"]) for pk in sorted(files.naming - files.holding)
    ]


# --- retention ----------------------------------------------------------------------------


def retention_due(*, now=None, days=None):
    """Contacts with no sign of life for `days` (RETENTION_DAYS): added before the cut-off,
    and since then no activity (theirs or their outreach's), no signature, no consent
    given or withdrawn, and no consent still standing. Erased contacts are left out."""
    from datetime import timedelta

    from django.db.models import Exists, OuterRef

    from crm.models import ConsentRecord, Contact
    from outreach.models import Activity, Signature

    now = now or timezone.now()
    days = settings.RETENTION_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    person = OuterRef("pk")
    return (
        Contact.objects.filter(erased_at=None, created_at__lt=cutoff)
        .exclude(
            Exists(
                Activity.objects.filter(
                    Q(contact=person) | Q(outreach__contact=person), occurred_at__gte=cutoff
                )
            )
        )
        .exclude(Exists(Signature.objects.filter(contact=person, signed_at__gte=cutoff)))
        .exclude(
            Exists(
                ConsentRecord.objects.filter(contact=person).filter(
                    Q(withdrawn_at=None) | Q(given_at__gte=cutoff) | Q(withdrawn_at__gte=cutoff)
                )
            )
        )
        .order_by("pk")
    )


def contacts_apply_retention(*, now=None, days=None, dry_run=False):
    """Anonymise every contact `retention_due` (without a suppression: nobody asked to be
    forgotten, and they may come back). Returns the ids concerned."""
    ids = list(retention_due(now=now, days=days).values_list("pk", flat=True))
    if not dry_run:
        from crm.models import Contact

        for contact in Contact.objects.filter(pk__in=ids):
            subject_erase(contact=contact, suppress=False, reason="Retention period ended")
    return ids


# --- the registry's own check -------------------------------------------------------------

_TEXT_TYPES = {
    "CharField",
    "TextField",
    "JSONField",
    "EmailField",
    "BinaryField",
    "GenericIPAddressField",
}


def text_fields(model):
    """Fields of `model` that could hold something about a person: any text, JSON or
    binary column that is not a fixed choice (names, e-mails, phones, notes, reports)."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.get_internal_type() in _TEXT_TYPES and not f.choices and not f.primary_key
    ]


def registry_gaps(registry=None, not_personal=None):
    """What the registry misses: models with text fields in neither REGISTRY nor
    NOT_PERSONAL, and text fields of registered models it does not account for."""
    registry = REGISTRY if registry is None else registry
    not_personal = NOT_PERSONAL if not_personal is None else not_personal
    registered = {entry.label: entry for entry in registry}
    gaps = []
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        fields = text_fields(model)
        if not fields or (label in not_personal and label not in registered):
            continue
        entry = registered.get(label)
        if entry is None:
            gaps.append(f"{label}: not in crm.privacy.REGISTRY nor NOT_PERSONAL ({fields})")
            continue
        covered = {*entry.erase, *entry.scrub, *entry.json, *entry.not_personal}
        gaps += [f"{label}.{name}: not covered" for name in fields if name not in covered]
    return gaps
