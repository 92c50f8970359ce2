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
    data_rows,
    date_cell,
    existing_contacts,
    organisation_fields,
    person_fields,
    resolve_day_first,
)
from crm.importing.run import RowsRefused
from crm.importing.writing import remember_created, write_organisations
from crm.models import Contact
from outreach.models import Ask, Outreach, Signature, Stage
from outreach.services import outreach_add_targets, signature_record

ASK_NEEDED = "Choose the ask these rows are for."
PERSON_NEEDED = "This ask is signed by individuals: give the person's e-mail."
ORGANISATION_NEEDED = "This ask is signed by organisations: name the organisation."
STAGE_CHOICES = [(Stage.PROSPECT.value, "Prospect"), (Stage.INVITED.value, "Invited")]


@dataclass
class Entry:
    row: int
    organisation: object = None  # OrganisationDraft
    person: dict = field(default_factory=dict)
    contact: Contact | None = None
    values: dict = field(default_factory=dict)
    outcome: str = ""


def _person(plan, number, values, people):
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


def _signers(plan, number, values, people, organisations, ask):
    person = _person(plan, number, values, people)
    organisation = organisation_fields(plan, number, values)
    if ask.signers == Ask.Signers.INDIVIDUALS and organisation:
        organisation, affiliation = None, organisation.get("name", "")
    else:
        affiliation = ""
    if number in plan.invalid_rows:
        return None
    if not organisation and not person:
        header = values.get("email", ("", ""))[0] or values.get("organisation", ("", ""))[0]
        plan.error(number, header, "", SIGNER_MISSING)
        return None
    if ask.signers == Ask.Signers.INDIVIDUALS and not person:
        plan.error(number, values.get("email", ("email",))[0], "", PERSON_NEEDED)
        return None
    if ask.signers == Ask.Signers.ORGANISATIONS and not organisation:
        plan.error(
            number, values.get("organisation", ("organisation",))[0], "", ORGANISATION_NEEDED
        )
        return None
    draft = organisations.resolve(organisation, policy="fill", row=number) if organisation else None
    return Entry(row=number, organisation=draft, person=person, values={"affiliation": affiliation})


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
        country = clean_cell(plan, number, values, "country", clean.clean_country)
        signed_at = date_cell(plan, number, values, "signed_at")
        public = (
            clean_cell(plan, number, values, "public", clean.clean_yes_no)
            if "public" in values
            else options.public
        )
        entry = _signers(plan, number, values, people, organisations, ask)
        if entry is None:
            continue
        key = ("o", id(entry.organisation)) if entry.organisation else ("p", entry.person["email"])
        entry.values.update(
            display_name=display_name,
            role=role,
            country=country,
            signed_at=_as_datetime(signed_at),
            public=bool(public),
        )
        if key in signers:
            plan.merged += 1
            continue
        signers[key] = entry
        plan.entries.append(entry)
    _match_people(plan, people)
    live = Signature.objects.live().filter(ask=ask)
    signed_organisations = set(
        live.exclude(organisation=None).values_list("organisation_id", flat=True)
    )
    signed_people = set(live.filter(organisation=None).values_list("contact_id", flat=True))
    for entry in plan.entries:
        if entry.organisation is not None:
            existing = entry.organisation.instance
            signed = existing is not None and existing.pk in signed_organisations
        else:
            signed = entry.contact is not None and entry.contact.pk in signed_people
        entry.outcome = "updated" if signed else "new"
    plan.organisations = organisations.drafts
    return plan


def _match_people(plan, people):
    existing = existing_contacts(people)
    for entry in plan.entries:
        if entry.person:
            entry.contact = existing.get(entry.person["email"])


def _contact_for(entry, record, user, created):
    if not entry.person:
        return None
    if entry.contact is None:
        email = entry.person["email"]
        if email not in created:
            contact = Contact(**entry.person)
            contact._history_user = user
            contact.save()
            created[email] = contact
            remember_created(record, Contact, [contact])
        entry.contact = created[email]
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
        contact = _contact_for(entry, record, user, created_contacts)
        organisation = entry.organisation.instance if entry.organisation else None
        signature = signature_record(
            ask=ask,
            organisation=organisation,
            contact=contact,
            display_name=entry.values["display_name"],
            role=entry.values["role"],
            affiliation_text=entry.values["affiliation"],
            country=entry.values["country"],
            signed_at=entry.values["signed_at"],
            source=Signature.Source.IMPORT,
            public=entry.values["public"],
            by=user,
        )
        if entry.outcome == "new":
            remember_created(record, Signature, [signature])

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
            plan.error(number, values.get("email", ("email",))[0], "", SIGNER_MISSING)
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
