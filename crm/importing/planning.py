"""Rows -> Plan: every row cleaned, deduplicated within the file and matched against the
database, before anything is written. Planning reads; it never writes."""

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Lower

from crm.importing import normalise as clean
from crm.importing.normalise import Invalid
from crm.models import (
    Affiliation,
    Contact,
    MergedRecord,
    Organisation,
    Suppression,
    website_domain,
)
from crm.privacy import digests_of

CELL_COUNT = "This row has {cells} cells; the header has {headers}."
ORGANISATION_NAME_MISSING = "An organisation needs a name."
SIGNER_MISSING = "Name the organisation or the person who signed."
SUPPRESSED = (
    "This e-mail belongs to a person whose data was erased on request, so the row is not "
    "imported. If they asked to be added again, add them by hand."
)

# Reads of existing records go in chunks of this many values (SQLite's variable limit).
CHUNK = 900

POLICIES = ("fill", "overwrite", "skip")


@dataclass
class Options:
    policy: str = "fill"
    day_first: bool | None = None
    skip_invalid: bool = False
    phone_region: str | None = None
    stage: str = "prospect"  # invites
    public: bool = False  # signatures: when the file has no consent column
    signers: str = "auto"  # signatures: "organisations", "individuals", or by each row
    published_url: str = ""  # signatures: the rows are already listed publicly there

    def as_dict(self):
        return dict(self.__dict__)


@dataclass
class RowError:
    row: int
    column: str
    value: str
    reason: str

    def as_dict(self):
        return dict(self.__dict__)


@dataclass(eq=False)  # compared by identity: two drafts are never "equal"
class OrganisationDraft:
    """An organisation the import will create, or an existing one it matched."""

    fields: dict
    instance: Organisation | None = None
    changes: dict = field(default_factory=dict)  # existing: field -> new value
    before: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)
    outcome: str = ""
    matched: bool = False  # found in the database (rather than created by this import)

    def __post_init__(self):
        self.matched = self.instance is not None

    @property
    def is_new(self):
        return not self.matched


@dataclass(eq=False)
class ContactDraft:
    row: int
    fields: dict
    instance: Contact | None = None
    changes: dict = field(default_factory=dict)
    before: dict = field(default_factory=dict)
    organisation: OrganisationDraft | None = None
    role: str = ""
    since: object = None
    outcome: str = ""  # new, updated, unchanged, skipped
    new_affiliation: bool = False
    make_primary: bool = False
    affiliation_role_update: tuple | None = None  # (affiliation id, old role, new role)
    pending_organisation: dict = field(default_factory=dict)


@dataclass
class Plan:
    kind: str
    options: Options
    rows: int = 0
    blank: int = 0
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    invalid_rows: set = field(default_factory=set)
    merged: int = 0
    contacts: list = field(default_factory=list)  # ContactDraft, one per e-mail
    organisations: list = field(default_factory=list)  # OrganisationDraft
    # signatures / invites: one entry per valid row
    entries: list = field(default_factory=list)
    day_first: bool | None = None
    suppressed: set | None = None  # digests of erased e-mails, read once per plan

    def is_suppressed(self, email):
        if self.suppressed is None:
            self.suppressed = set(Suppression.objects.values_list("digest", flat=True))
        return bool(self.suppressed) and not self.suppressed.isdisjoint(digests_of(email))

    def error(self, row, column, value, reason):
        self.errors.append(RowError(row, column, clean.text(value)[:200], reason))
        self.invalid_rows.add(row)

    def warn(self, row, column, value, reason):
        self.warnings.append(
            {"row": row, "column": column, "value": clean.text(value)[:200], "reason": reason}
        )

    def counts(self):
        outcomes = {"new": 0, "updated": 0, "unchanged": 0, "skipped": 0}
        if self.kind == "organisations":
            drafts = self.organisations
        elif self.kind == "contacts":
            drafts = self.contacts
        else:
            drafts = self.entries
        for draft in drafts:
            outcomes[draft.outcome] = outcomes.get(draft.outcome, 0) + 1
        organisations_new = sum(1 for o in self.organisations if o.is_new)
        return {
            "rows": self.rows,
            "blank": self.blank,
            **outcomes,
            "merged": self.merged,
            "invalid": len(self.invalid_rows),
            "organisations_new": organisations_new,
            "organisations_matched": len(self.organisations) - organisations_new,
        }


def _limit(model, name):
    return model._meta.get_field(name).max_length


@lru_cache(maxsize=65536)  # the same organisation names come back row after row
def name_key(value):
    """'Européen  Digital-Rights' -> 'europeen digital rights', in every script: case,
    accents (U+0300–U+036F) and punctuation aside. Not header_key, which keeps only
    a-z and so gave every Greek, Cyrillic or Arabic name the same empty key (never
    matched: a re-import created them again)."""
    if not value:
        return ""
    text = unicodedata.normalize("NFKD", str(value)).casefold()
    kept = (
        c if unicodedata.category(c)[0] in "LMN" else " "
        for c in text
        if not "\u0300" <= c <= "\u036f"
    )
    return " ".join("".join(kept).split())


class OrganisationIndex:
    """Existing and planned organisations by normalised name, acronym and website domain:
    'European Digital Rights (EDRi)', 'EDRi' and 'European Digital Rights' are one."""

    def __init__(self):
        self.by_key = {}
        self.by_domain = {}
        self.drafts = []  # the organisations this file names, in order
        self._listed = set()
        by_pk = {}
        for organisation in Organisation.objects.all().only(*ORGANISATION_FIELDS, "domain"):
            draft = OrganisationDraft(fields={}, instance=organisation)
            by_pk[organisation.pk] = draft
            self._register(draft, organisation.name, organisation.acronym, organisation.domain)
        # Names and websites of organisations merged away lead to the one kept.
        merged = MergedRecord.objects.filter(kind=MergedRecord.Kind.ORGANISATION)
        for keys, domain, survivor_id in merged.values_list("name_keys", "domain", "survivor_id"):
            draft = by_pk.get(survivor_id)
            if draft is not None:
                for key in keys:
                    self.by_key.setdefault(key, draft)
                if domain:
                    self.by_domain.setdefault(domain, draft)

    def _register(self, draft, name, acronym, domain):
        for key in (name_key(name), name_key(acronym)):
            if key:
                self.by_key.setdefault(key, draft)
        if domain:
            self.by_domain.setdefault(domain, draft)

    def find(self, name, acronym, domain):
        for key in (name_key(name), name_key(acronym)):
            if key and key in self.by_key:
                return self.by_key[key]
        if domain and domain in self.by_domain:
            return self.by_domain[domain]
        return None

    def resolve(self, fields, *, policy, row):
        """The draft for this organisation, created (and registered) when unknown."""
        name, acronym = fields.get("name", ""), fields.get("acronym", "")
        domain = website_domain(fields.get("website", ""))
        draft = self.find(name, acronym, domain)
        if draft is None:
            draft = OrganisationDraft(fields=dict(fields))
        else:
            _apply(draft, fields, policy=policy)
        if id(draft) not in self._listed:
            self._listed.add(id(draft))
            self.drafts.append(draft)
        draft.rows.append(row)
        self._register(draft, name, acronym, domain)
        return draft


ORGANISATION_FIELDS = ["name", "acronym", "kind", "country", "city", "website", "email", "notes"]
CONTACT_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "country",
    "preferred_language",
    "expertise",
    "notes",
]


def _current(draft, name):
    if name in draft.changes:
        return draft.changes[name]
    if draft.instance is not None:
        value = getattr(draft.instance, name)
        return "" if value is None else str(value)
    return draft.fields.get(name, "")


def _apply(draft, fields, *, policy):
    """Merge `fields` into a draft: blanks never erase; 'fill' sets only what is blank,
    'overwrite' sets what differs, 'skip' leaves existing records alone."""
    for name, value in fields.items():
        if value in ("", None):
            continue
        current = _current(draft, name)
        if draft.instance is None:
            if not current or policy == "overwrite":
                draft.fields[name] = value
            continue
        if policy == "skip" or str(value) == current:
            continue
        if current and policy == "fill":
            continue
        if name not in draft.before:
            original = getattr(draft.instance, name)
            draft.before[name] = "" if original is None else str(original)
        if str(value) == draft.before[name]:
            draft.changes.pop(name, None)
        else:
            draft.changes[name] = value


# --- cleaning a row -----------------------------------------------------------------------


def _cells(plan, table, row, mapping):
    if len(row.cells) != len(table.headers):
        plan.error(
            row.number,
            "",
            f"{len(row.cells)} cells",
            CELL_COUNT.format(cells=len(row.cells), headers=len(table.headers)),
        )
        return None
    values = {}
    for header, name, cell in zip(table.headers, mapping, row.cells, strict=True):
        if name and name not in values:
            values[name] = (header, cell)
    return values


def clean_cell(plan, row, values, name, cleaner, **kwargs):
    header, cell = values.get(name, ("", ""))
    try:
        return cleaner(cell, **kwargs)
    except Invalid as error:
        plan.error(row, header or name, cell, str(error))
        return ""


WEBSITE_LEFT_OUT = "Not a web address (http or https): the row is kept without it."


def website_cell(plan, row, values, name):
    """The website as the organisation form would take it — the model field's own
    validators, so `javascript:` or `data:` never get in; a bare domain gets https://.
    One that is not a web address is left out with a warning; the row is kept."""
    header, cell = values.get(name, ("", ""))
    try:
        website = clean.clean_text(cell, limit=_limit(Organisation, "website"))
    except Invalid as error:
        plan.warn(row, header or name, cell, str(error))
        return ""
    if website and "://" not in website and ":" not in website.split("/")[0]:
        website = f"https://{website}"
    try:
        Organisation._meta.get_field("website").run_validators(website)
    except ValidationError:
        plan.warn(row, header or name, cell, WEBSITE_LEFT_OUT)
        return ""
    return website


def date_cell(plan, row, values, name):
    header, cell = values.get(name, ("", ""))
    parsed, warning = clean.parse_date(cell, day_first=plan.day_first)
    if warning:
        plan.warn(row, header, cell, warning)
    return parsed


def warned_cell(plan, row, values, name, reader, **kwargs):
    """A cell whose reader returns (value, warning): a value it cannot read is stored as
    well as it can be, and the row is kept with the warning."""
    header, cell = values.get(name, ("", ""))
    try:
        value, warning = reader(cell, **kwargs)
    except Invalid as error:
        plan.error(row, header or name, cell, str(error))
        return ""
    if warning:
        plan.warn(row, header or name, cell, warning)
    return value


def country_cell(plan, row, values, fields=None, *, warn=True):
    """The country code; an unknown country is left empty, flagged, and its text kept in
    `fields["notes"]` when the record has notes."""
    header, cell = values.get("country", ("", ""))
    code, warning = clean.read_country(cell)
    if warning and warn:
        plan.warn(row, header or "country", cell, warning)
        if fields is not None:
            note = clean.COUNTRY_NOTE.format(value=clean.text(cell).strip())
            fields["notes"] = "\n".join(filter(None, [fields.get("notes", ""), note]))
    return code


def person_fields(plan, row, values, *, email_required):
    fields = {
        "email": clean_cell(plan, row, values, "email", clean.clean_email, required=email_required),
        "first_name": clean_cell(
            plan,
            row,
            values,
            "first_name",
            clean.clean_name,
            limit=_limit(Contact, "first_name"),
        ),
        "last_name": clean_cell(
            plan, row, values, "last_name", clean.clean_name, limit=_limit(Contact, "last_name")
        ),
    }
    if "full_name" in values and not (fields["first_name"] or fields["last_name"]):
        first, last = clean.split_full_name(values["full_name"][1])
        header = values["full_name"][0]
        for key, part in (("first_name", first), ("last_name", last)):
            if len(part) > _limit(Contact, key):
                plan.error(
                    row,
                    header,
                    values["full_name"][1],
                    clean.TOO_LONG.format(length=len(part), limit=_limit(Contact, key)),
                )
            else:
                fields[key] = part
    if fields["email"] and plan.is_suppressed(fields["email"]):
        # The address itself is not repeated in the report: it is what was erased.
        plan.error(row, values["email"][0], "", SUPPRESSED)
    return fields


def organisation_fields(plan, row, values, *, name_key="organisation"):
    prefix = "organisation_" if name_key == "organisation" else ""
    name = clean_cell(
        plan, row, values, name_key, clean.clean_name, limit=_limit(Organisation, "name")
    )
    acronym = clean_cell(
        plan,
        row,
        values,
        f"{prefix}acronym",
        clean.clean_name,
        limit=_limit(Organisation, "acronym"),
    )
    if name and not acronym:
        name, acronym = clean.split_acronym(name)
    website = website_cell(plan, row, values, f"{prefix}website")
    fields = {"name": name, "acronym": acronym, "website": website}
    return {k: v for k, v in fields.items() if v}


def resolve_day_first(plan, table, mapping, date_fields):
    if plan.options.day_first is not None:
        plan.day_first = plan.options.day_first
        return
    columns = [i for i, name in enumerate(mapping) if name in date_fields]
    if not columns:
        return
    values = [row.cells[i] for row in table.rows for i in columns if i < len(row.cells)]
    proposed = clean.propose_day_first(values)
    if proposed is None:
        proposed = True
        if clean.has_numeric_dates(values):  # ISO dates say nothing, and need nothing
            plan.warnings.append(
                {
                    "row": 0,
                    "column": "",
                    "value": "",
                    "reason": "Dates such as 05/09/2023 could be read either way; they were "
                    "read day first. Choose month first if the file is American.",
                }
            )
    plan.day_first = proposed


def data_rows(plan, table, mapping, progress):
    plan.rows = len(table.rows)
    plan.blank = table.blank
    for index, row in enumerate(table.rows):
        if progress and index % 2000 == 0:
            progress(index, plan.rows)
        values = _cells(plan, table, row, mapping)
        if values is not None:
            yield row.number, values


# --- contacts -----------------------------------------------------------------------------


def plan_contacts(table, mapping, options, *, progress=None):
    plan = Plan(kind="contacts", options=options)
    resolve_day_first(plan, table, mapping, {"since"})
    by_email = {}
    for number, values in data_rows(plan, table, mapping, progress):
        fields = person_fields(plan, number, values, email_required=True)
        for name in ("expertise", "notes"):
            fields[name] = clean_cell(
                plan, number, values, name, clean.clean_text, limit=_limit(Contact, name)
            )
        fields["country"] = country_cell(plan, number, values, fields)
        # A number without a prefix is read in the person's country, else the default;
        # one that cannot be read is kept as written.
        fields["phone"] = warned_cell(
            plan,
            number,
            values,
            "phone",
            clean.read_phone,
            region=fields["country"] or options.phone_region,
            limit=_limit(Contact, "phone"),
        )
        fields["preferred_language"] = warned_cell(
            plan, number, values, "preferred_language", clean.read_language
        )
        organisation = organisation_fields(plan, number, values)
        role = clean_cell(
            plan, number, values, "role", clean.clean_text, limit=_limit(Affiliation, "role")
        )
        since = date_cell(plan, number, values, "since")
        if number in plan.invalid_rows:
            continue
        draft = by_email.get(fields["email"])
        if draft is None:
            draft = ContactDraft(row=number, fields={})
            by_email[fields["email"]] = draft
            draft.pending_organisation = organisation
        else:
            plan.merged += 1
            if organisation and not draft.pending_organisation:
                draft.pending_organisation = organisation
        _apply(draft, fields, policy="fill")
        draft.role = draft.role or role
        draft.since = draft.since or (since.date() if hasattr(since, "date") else since)
    if progress:
        progress(plan.rows, plan.rows)
    _match_contacts(plan, list(by_email.values()))
    return plan


def existing_contacts(emails):
    found = {}
    emails = list(emails)
    for start in range(0, len(emails), CHUNK):
        chunk = emails[start : start + CHUNK]
        for contact in Contact.objects.filter(email__in=chunk):
            found[contact.email] = contact
    # E-mails of contacts merged away lead to the one kept.
    unknown = [email for email in emails if email not in found]
    merged = {}
    for start in range(0, len(unknown), CHUNK):
        rows = MergedRecord.objects.filter(
            kind=MergedRecord.Kind.CONTACT, email__in=unknown[start : start + CHUNK]
        )
        merged.update(rows.values_list("email", "survivor_id"))
    if merged:
        survivors = Contact.objects.in_bulk(set(merged.values()))
        for email, survivor_id in merged.items():
            if survivor_id in survivors:
                found[email] = survivors[survivor_id]
    return found


def contacts_named(names):
    """{name key: [contacts of that name]} for (first, last) pairs, each contact with
    `organisation_keys`: the name keys of the organisations it is affiliated with."""
    wanted = {name_key(f"{first} {last}") for first, last in names}
    # As written and lower-cased (SQLite's LOWER folds ASCII letters only).
    last_names = sorted({form for _first, last in names for form in (last, last.lower())})
    found = {}
    for start in range(0, len(last_names), CHUNK):
        chunk = last_names[start : start + CHUNK]
        contacts = (
            Contact.objects.filter(erased_at__isnull=True)
            .annotate(last_lower=Lower("last_name"))
            .filter(Q(last_name__in=chunk) | Q(last_lower__in=chunk))
            .prefetch_related("affiliations__organisation")
        )
        for contact in contacts:
            key = name_key(f"{contact.first_name} {contact.last_name}")
            if key in wanted:
                organisations = [a.organisation for a in contact.affiliations.all()]
                contact.organisation_keys = {
                    name_key(text) for o in organisations for text in (o.name, o.acronym) if text
                }
                found.setdefault(key, []).append(contact)
    return found


def _affiliations_of(contact_ids):
    found = {}
    contact_ids = list(contact_ids)
    for start in range(0, len(contact_ids), CHUNK):
        chunk = contact_ids[start : start + CHUNK]
        for affiliation in Affiliation.objects.filter(contact_id__in=chunk):
            found.setdefault(affiliation.contact_id, []).append(affiliation)
    return found


def _match_contacts(plan, drafts):
    policy = plan.options.policy
    existing = existing_contacts(d.fields["email"] for d in drafts)
    affiliations = _affiliations_of(c.pk for c in existing.values())
    organisations = OrganisationIndex() if any(d.pending_organisation for d in drafts) else None
    for draft in drafts:
        fields = draft.fields
        instance = existing.get(fields["email"])
        if instance is not None:
            draft.fields = {}
            draft.instance = instance
            if policy == "skip":
                draft.outcome = "skipped"
                plan.contacts.append(draft)
                continue
            _apply(draft, {k: v for k, v in fields.items() if k != "email"}, policy=policy)
        if draft.pending_organisation:
            draft.organisation = organisations.resolve(
                draft.pending_organisation, policy="fill", row=draft.row
            )
            _plan_affiliation(draft, affiliations.get(getattr(instance, "pk", None), []))
        if instance is None:
            draft.outcome = "new"
        elif draft.changes or draft.new_affiliation or draft.affiliation_role_update:
            draft.outcome = "updated"
        else:
            draft.outcome = "unchanged"
        plan.contacts.append(draft)
    if organisations is not None:
        plan.organisations = organisations.drafts


def _plan_affiliation(draft, existing):
    organisation = draft.organisation
    if not organisation.is_new:
        for affiliation in existing:
            if affiliation.organisation_id == organisation.instance.pk:
                if draft.role and not affiliation.role:
                    draft.affiliation_role_update = (affiliation.pk, "", draft.role)
                return
    draft.new_affiliation = True
    draft.make_primary = not any(a.is_primary for a in existing)


# --- organisations --------------------------------------------------------------------------


KIND_UNKNOWN = "“{value}” is not one of the kinds ({choices}): stored as “Other”."
GENERAL_EMAIL_LEFT_OUT = "“{value}” is not a valid e-mail address: the row is kept without it."


def read_kind(value):
    try:
        return clean.clean_choice(value, Organisation.Kind.choices), ""
    except Invalid:
        choices = ", ".join(str(label) for _, label in Organisation.Kind.choices)
        raw = clean.text(value).strip()
        return Organisation.Kind.OTHER, KIND_UNKNOWN.format(value=raw, choices=choices)


def read_general_email(value):
    """An organisation is known by its name: a general e-mail that is not one is left
    out of the row, not a reason to refuse it."""
    try:
        return clean.clean_email(value, required=False, limit=_limit(Organisation, "email")), ""
    except Invalid:
        return "", GENERAL_EMAIL_LEFT_OUT.format(value=clean.text(value).strip())


def plan_organisations(table, mapping, options, *, progress=None):
    plan = Plan(kind="organisations", options=options)
    index = OrganisationIndex()
    seen = set()
    for number, values in data_rows(plan, table, mapping, progress):
        fields = organisation_fields(plan, number, values, name_key="name")
        fields["kind"] = warned_cell(plan, number, values, "kind", read_kind)
        fields["city"] = clean_cell(
            plan, number, values, "city", clean.clean_name, limit=_limit(Organisation, "city")
        )
        fields["email"] = warned_cell(plan, number, values, "email", read_general_email)
        fields["notes"] = clean_cell(plan, number, values, "notes", clean.clean_text)
        fields["country"] = country_cell(plan, number, values, fields)
        if not fields.get("name") and number not in plan.invalid_rows:
            header, cell = values.get("name", ("", ""))
            plan.error(number, header or "name", cell, ORGANISATION_NAME_MISSING)
        if number in plan.invalid_rows:
            continue
        draft = index.find(
            fields.get("name"), fields.get("acronym"), website_domain(fields.get("website", ""))
        )
        if draft is not None and id(draft) in seen:
            plan.merged += 1
            _apply(draft, fields, policy="fill" if draft.is_new else options.policy)
            continue
        draft = index.resolve(fields, policy=options.policy, row=number)
        seen.add(id(draft))
    if progress:
        progress(plan.rows, plan.rows)
    for draft in index.drafts:
        if draft.is_new:
            draft.outcome = "new"
        elif options.policy == "skip":
            draft.changes = {}
            draft.outcome = "skipped"
        else:
            draft.outcome = "updated" if draft.changes else "unchanged"
    plan.organisations = index.drafts
    return plan


PLANNERS = {"contacts": plan_contacts, "organisations": plan_organisations}
