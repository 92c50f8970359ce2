"""Planning and writing the two imports that belong to an ask: signatures (recorded
through signature_record) and invite lists (through outreach_add_targets)."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crm.importing import normalise as clean
from crm.importing.planning import (
    SIGNER_MISSING,
    OrganisationIndex,
    Plan,
    clean_cell,
    contacts_named,
    country_cell,
    data_rows,
    date_cell,
    existing_contacts,
    name_key,
    organisation_fields,
    person_fields,
    resolve_day_first,
)
from crm.importing.run import RowsRefused
from crm.importing.writing import remember_created, write_organisations
from crm.models import Contact
from outreach.models import Activity, Ask, Outreach, Signature, Stage
from outreach.services import (
    outreach_add_targets,
    signature_record,
    signature_record_changes,
)

ASK_NEEDED = "Choose the ask these rows are for."
TARGET_MISSING = "Name an organisation or give the person's e-mail."
INDIVIDUAL_ON_ORGANISATIONS_ASK = (
    "This row is an individual, and this ask is signed by organisations only."
)
ORGANISATION_ON_INDIVIDUALS_ASK = (
    "This row is an organisation, and this ask is signed by individuals only."
)
PERSON_NEEDED = "This ask is signed by individuals: give the person's name or e-mail."
ORGANISATION_NEEDED = "This ask is signed by organisations: name the organisation."
SAME_NAME_AT_ANOTHER_ORGANISATION = (
    "A contact called {name} is known at another organisation: a new contact was made. "
    "Merge the two on the duplicates page if they are one person."
)
SAME_NAME_SEVERAL = (
    "{count} contacts are called {name}: a new contact was made. Merge it on the "
    "duplicates page if it is one of them."
)
STAGE_CHOICES = [(Stage.PROSPECT.value, "Prospect"), (Stage.INVITED.value, "Invited")]
ROWS_ARE = {"organisations": clean.ORGANISATION, "individuals": clean.INDIVIDUAL}


@dataclass
class Entry:
    row: int
    organisation: object = None  # OrganisationDraft
    person: dict = field(default_factory=dict)
    contact: Contact | None = None
    values: dict = field(default_factory=dict)
    outcome: str = ""


def _person(plan, number, values, people):
    """The person of a row, one per e-mail in the file; {} when the row has no e-mail."""
    person = person_fields(plan, number, values, email_required=False)
    email = person.get("email")
    if not email:
        return {}
    known = people.get(email)
    if known is not None:
        for key, value in person.items():
            if value and not known.get(key):
                known[key] = value
        return known
    people[email] = person
    return person


def _individual(plan, number, values, people):
    """An individual signatory: by e-mail when the row has one, else by name (a published
    list gives no e-mails); {} when the row names nobody."""
    person = _person(plan, number, values, people)
    if person:
        return person
    person = person_fields(plan, number, values, email_required=False)
    if not (person["first_name"] or person["last_name"]):
        return {}
    person["email"] = None  # not "": e-mails are unique, and no e-mail is none at all
    return person


def _row_type(plan, number, values, ask):
    """Organisation or individual: the row's type column, else what the user said of
    every row, else the ask's one kind of signer, else whether the row names an
    organisation."""
    kind = clean.read_signer_type(values.get("signer_type", ("", ""))[1])
    if kind:
        return kind
    if plan.options.signers in ROWS_ARE:
        guess = ROWS_ARE[plan.options.signers]
    elif ask.signers == Ask.Signers.ORGANISATIONS:
        guess = clean.ORGANISATION
    elif ask.signers == Ask.Signers.INDIVIDUALS:
        guess = clean.INDIVIDUAL
    elif clean.text(values.get("organisation", ("", ""))[1]).strip():
        guess = clean.ORGANISATION
    else:
        guess = clean.INDIVIDUAL
    if kind is None:
        header, cell = values["signer_type"]
        plan.warn(number, header, cell, clean.SIGNER_TYPE_UNKNOWN.format(value=cell, kind=guess))
    return guess


def _with(values, name, source):
    """The row with `source`'s cell read as `name` too, when `name` has no value of its own."""
    if source not in values or clean.text(values.get(name, ("", ""))[1]).strip():
        return values
    return {**values, name: values[source]}


def _signers(plan, number, values, people, organisations, ask):
    kind = _row_type(plan, number, values, ask)
    if kind == clean.ORGANISATION:
        # "Signatory" names the organisation, or the person when a column names it.
        named = bool(clean.text(values.get("organisation", ("", ""))[1]).strip())
        values = _with(values, "full_name" if named else "organisation", "signatory")
        organisation = organisation_fields(plan, number, values)
        organisation.update(_organisation_extras(plan, number, values))
        person = _person(plan, number, values, people)
        affiliation = ""
    else:
        values = _with(values, "full_name", "signatory")
        organisation = {}
        person = _individual(plan, number, values, people)
        affiliation = clean_cell(
            plan,
            number,
            _with(values, "affiliation", "organisation"),
            "affiliation",
            clean.clean_name,
            limit=Signature._meta.get_field("affiliation_text").max_length,
        )
    if number in plan.invalid_rows:
        return None
    if not organisation and not person:
        header = next((values[k][0] for k in ("signatory", "organisation") if k in values), "")
        plan.error(number, header, "", SIGNER_MISSING)
        return None
    if ask.signers == Ask.Signers.ORGANISATIONS and kind == clean.INDIVIDUAL:
        plan.error(number, "", "", INDIVIDUAL_ON_ORGANISATIONS_ASK)
        return None
    if ask.signers == Ask.Signers.INDIVIDUALS and kind == clean.ORGANISATION:
        plan.error(number, "", "", ORGANISATION_ON_INDIVIDUALS_ASK)
        return None
    if kind == clean.ORGANISATION and not organisation:
        plan.error(number, values.get("organisation", ("",))[0], "", ORGANISATION_NEEDED)
        return None
    if kind == clean.INDIVIDUAL and not person:
        plan.error(number, values.get("signatory", ("",))[0], "", PERSON_NEEDED)
        return None
    draft = organisations.resolve(organisation, policy="fill", row=number) if organisation else None
    return Entry(row=number, organisation=draft, person=person, values={"affiliation": affiliation})


def _organisation_extras(plan, number, values):
    """An organisation's country, from the row (its signature's country too)."""
    country = country_cell(plan, number, values)
    return {"country": country} if country else {}


def _as_datetime(value):
    if value is None:
        return None
    if not isinstance(value, datetime.datetime) or value.time() == datetime.time(0):
        # A day without a time: noon, so no time zone moves it to another day.
        day = value.date() if isinstance(value, datetime.datetime) else value
        value = datetime.datetime.combine(day, datetime.time(12))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _signer_key(entry):
    if entry.organisation is not None:
        return ("o", id(entry.organisation))
    if entry.person["email"]:
        return ("p", entry.person["email"])
    name = f"{entry.person['first_name']} {entry.person['last_name']}"
    return ("n", name_key(name), name_key(entry.values["affiliation"]))


def plan_signatures(table, mapping, options, *, ask, progress=None):
    plan = Plan(kind="signatures", options=options)
    if ask is None:
        plan.error(0, "", "", ASK_NEEDED)
        return plan
    resolve_day_first(plan, table, mapping, {"signed_at"})
    organisations, people, signers = OrganisationIndex(), {}, {}
    for number, values in data_rows(plan, table, mapping, progress):
        display_name = clean_cell(
            plan,
            number,
            values,
            "display_name",
            clean.clean_name,
            limit=Signature._meta.get_field("display_name").max_length,
        )
        role = clean_cell(plan, number, values, "role", clean.clean_text, limit=150)
        signed_at = date_cell(plan, number, values, "signed_at")
        if options.published_url:
            public = True  # the user declared the list already published at that address
        elif "public" in values:
            public = clean_cell(plan, number, values, "public", clean.clean_yes_no)
        else:
            public = options.public
        entry = _signers(plan, number, values, people, organisations, ask)
        if entry is None:
            continue
        country = (
            entry.organisation.fields.get("country") if entry.organisation else None
        ) or country_cell(plan, number, values, warn=entry.organisation is None)
        entry.values.update(
            display_name=display_name,
            role=role,
            country=country,
            signed_at=_as_datetime(signed_at),
            public=bool(public),
        )
        key = _signer_key(entry)
        if key in signers:
            plan.merged += 1
            continue
        signers[key] = entry
        plan.entries.append(entry)
    _match_people(plan, people)
    _match_people_by_name(plan)
    live = list(Signature.objects.live().filter(ask=ask))
    by_organisation = {s.organisation_id: s for s in live if s.organisation_id}
    by_person = {s.contact_id: s for s in live if not s.organisation_id}
    for entry in plan.entries:
        if entry.organisation is not None:
            existing = entry.organisation.instance
            signature = by_organisation.get(existing.pk) if existing is not None else None
        else:
            signature = by_person.get(entry.contact.pk) if entry.contact is not None else None
        entry.outcome = _signature_outcome(plan, entry, signature)
    plan.organisations = organisations.drafts
    return plan


def _record_arguments(plan, entry, contact):
    return {
        "organisation": entry.organisation.instance if entry.organisation else None,
        "contact": contact,
        "display_name": entry.values["display_name"],
        "role": entry.values["role"],
        "affiliation_text": entry.values["affiliation"],
        "country": entry.values["country"],
        "signed_at": entry.values["signed_at"],
        "source": Signature.Source.IMPORT,
        "public": entry.values["public"],
        "public_source": plan.options.published_url,
    }


def _signature_outcome(plan, entry, signature):
    """new, updated, or unchanged: a row that records again what is stored (a file this
    app exported, read back) changes nothing and is not written."""
    if signature is None:
        return "new"
    if entry.person and entry.contact is None:
        return "updated"  # a person not known yet signs for the organisation
    changes = signature_record_changes(signature, **_record_arguments(plan, entry, entry.contact))
    return "updated" if changes else "unchanged"


def _match_people(plan, people):
    existing = existing_contacts(people)
    for entry in plan.entries:
        if entry.person and entry.person["email"]:
            entry.contact = existing.get(entry.person["email"])


def _match_people_by_name(plan):
    """A signatory known by name only is an existing contact when exactly one contact has
    that name (and, when the row gives an affiliation, is affiliated with it)."""
    wanted = [e for e in plan.entries if e.person and not e.person["email"]]
    if not wanted:
        return
    candidates = contacts_named({(e.person["first_name"], e.person["last_name"]) for e in wanted})
    for entry in wanted:
        name = f"{entry.person['first_name']} {entry.person['last_name']}".strip()
        same_name = candidates.get(name_key(name), [])
        affiliation = name_key(entry.values["affiliation"])
        if affiliation:
            there = [c for c in same_name if affiliation in c.organisation_keys]
            elsewhere = [c for c in same_name if c.organisation_keys and c not in there]
        else:
            there, elsewhere = same_name, []
        if len(there) == 1:
            entry.contact = there[0]
        elif len(there) > 1:
            plan.warn(entry.row, "", name, SAME_NAME_SEVERAL.format(count=len(there), name=name))
        elif elsewhere:
            plan.warn(entry.row, "", name, SAME_NAME_AT_ANOTHER_ORGANISATION.format(name=name))


def _contact_for(entry, record, user, created):
    if not entry.person:
        return None
    if entry.contact is None:
        key = _signer_key(entry)
        if key not in created:
            contact = Contact(**entry.person)
            if entry.organisation is None and entry.values.get("country"):
                contact.country = contact.country or entry.values["country"]
            contact._history_user = user
            contact.save()
            created[key] = contact
            remember_created(record, Contact, [contact])
        entry.contact = created[key]
    return entry.contact


def _each_row(plan, entries, write):
    """Write each entry; a refused one rolls everything back unless told to skip it."""
    for entry in entries:
        try:
            with transaction.atomic():
                write(entry)
        except ValidationError as error:
            plan.error(entry.row, "", "", " ".join(error.messages))
            entry.outcome = "invalid"
            if not plan.options.skip_invalid:
                raise RowsRefused() from error
    plan.entries = [e for e in entries if e.outcome != "invalid"]


def write_signatures(plan, record, user):
    write_organisations(plan, record, user)
    created_contacts = {}
    ask = record.ask

    def write(entry):
        if entry.outcome == "unchanged":
            return
        contact = _contact_for(entry, record, user, created_contacts)
        signature = signature_record(ask=ask, by=user, **_record_arguments(plan, entry, contact))
        if entry.outcome == "new":
            # In step: undo finds each signature's activity by its position.
            remember_created(record, Signature, [signature])
            remember_created(record, Activity, [signature.recorded_activity])

    _each_row(plan, plan.entries, write)


def plan_invites(table, mapping, options, *, ask, progress=None):
    plan = Plan(kind="invites", options=options)
    if ask is None:
        plan.error(0, "", "", ASK_NEEDED)
        return plan
    organisations, people, targets = OrganisationIndex(), {}, {}
    for number, values in data_rows(plan, table, mapping, progress):
        stage = (
            clean_cell(plan, number, values, "stage", clean.clean_choice, choices=STAGE_CHOICES)
            or options.stage
        )
        person = _person(plan, number, values, people)
        organisation = organisation_fields(plan, number, values)
        if number in plan.invalid_rows:
            continue
        if not organisation and not person:
            plan.error(number, values.get("email", ("email",))[0], "", TARGET_MISSING)
            continue
        draft = (
            organisations.resolve(organisation, policy="fill", row=number) if organisation else None
        )
        entry = Entry(row=number, organisation=draft, person=person, values={"stage": stage})
        key = ("o", id(draft)) if draft else ("p", person["email"])
        if key in targets:
            plan.merged += 1
            continue
        targets[key] = entry
        plan.entries.append(entry)
    _match_people(plan, people)
    pipeline = Outreach.objects.filter(ask=ask)
    organisation_ids = set(
        pipeline.exclude(organisation=None).values_list("organisation_id", flat=True)
    )
    people_ids = set(pipeline.filter(organisation=None).values_list("contact_id", flat=True))
    for entry in plan.entries:
        if entry.organisation is not None:
            instance = entry.organisation.instance
            there = instance is not None and instance.pk in organisation_ids
        else:
            there = entry.contact is not None and entry.contact.pk in people_ids
        entry.outcome = "unchanged" if there else "new"
    plan.organisations = organisations.drafts
    return plan


def write_invites(plan, record, user):
    write_organisations(plan, record, user)
    created_contacts = {}
    for stage in (Stage.PROSPECT, Stage.INVITED):
        entries = [e for e in plan.entries if e.values["stage"] == stage and e.outcome == "new"]
        if not entries:
            continue
        organisations = [e.organisation.instance for e in entries if e.organisation]
        contacts = [
            _contact_for(e, record, user, created_contacts) for e in entries if not e.organisation
        ]
        added = outreach_add_targets(
            ask=record.ask, organisations=organisations, contacts=contacts, stage=stage, by=user
        )
        remember_created(record, Outreach, added.added)


PLANNERS = {"signatures": plan_signatures, "invites": plan_invites}
WRITERS = {"signatures": write_signatures, "invites": write_invites}
