"""Plan -> database. Called inside the import's transaction; returns what it wrote."""

import datetime

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from crm.models import Affiliation, Contact, ImportChange, Organisation, website_domain

BATCH = 1000


def _label(model):
    return model._meta.label_lower


def _history(objs, model, user):
    """bulk_create, then one "created" history row per record, attributed to `user`.

    The history rows are the ones simple_history's bulk_create_with_history writes, but
    inserted with executemany: building a historical model instance per row cost more
    than the import itself (see docs/performance.md)."""
    created = model.objects.bulk_create(objs, batch_size=BATCH)
    _insert_history(created, model, user, timezone.now())
    return created


def _insert_history(instances, model, user, when):
    if not instances:
        return
    history = model.history.model
    fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(history._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    constants = {
        "history_date": connection.ops.adapt_datetimefield_value(when),
        "history_type": "+",
        "history_change_reason": None,
        "history_user_id": getattr(user, "pk", None),
    }
    names = [f.attname for f in fields]
    rows = [
        tuple(
            constants[name] if name in constants else _plain(obj.__dict__.get(name))
            for name in names
        )
        for obj in instances
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is several times cheaper than INSERTs for the server and the driver.
            copy_sql = "COPY {} ({}) FROM STDIN".format(
                quote(history._meta.db_table), ", ".join(quote(f.column) for f in fields)
            )
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def _plain(value):
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return str(value)  # Country, PhoneNumber: their text form is what is stored


def write_organisations(plan, record, user):
    """Create the new organisations and apply changes to matched ones."""
    new = [d for d in plan.organisations if d.is_new]
    instances = []
    for draft in new:
        organisation = Organisation(**draft.fields)
        organisation.domain = website_domain(organisation.website)  # save() is bypassed
        instances.append(organisation)
    created = _history(instances, Organisation, user) if instances else []
    for draft, organisation in zip(new, created, strict=True):
        draft.instance = organisation
    _apply_changes(
        record, Organisation, [d for d in plan.organisations if d.changes and not d.is_new], user
    )
    remember_created(record, Organisation, created)
    return created


def write_contacts(plan, record, user):
    write_organisations(plan, record, user)
    new_drafts = [d for d in plan.contacts if d.outcome == "new"]
    contacts = _history([Contact(**d.fields) for d in new_drafts], Contact, user)
    for draft, contact in zip(new_drafts, contacts, strict=True):
        draft.instance = contact
    _apply_changes(record, Contact, [d for d in plan.contacts if d.changes], user)
    remember_created(record, Contact, contacts)

    affiliations = [
        Affiliation(
            contact=d.instance,
            organisation=d.organisation.instance,
            role=d.role,
            is_primary=d.make_primary,
            started_on=d.since,
        )
        for d in plan.contacts
        if d.new_affiliation and d.outcome in ("new", "updated")
    ]
    created = _history(affiliations, Affiliation, user)
    remember_created(record, Affiliation, created)
    role_updates = [d.affiliation_role_update for d in plan.contacts if d.affiliation_role_update]
    if role_updates:
        existing = Affiliation.objects.in_bulk([pk for pk, _old, _new in role_updates])
        changed = []
        for pk, old, new in role_updates:
            affiliation = existing[pk]
            affiliation.role = new
            changed.append(affiliation)
            ImportChange.objects.create(
                record=record,
                model=_label(Affiliation),
                object_id=pk,
                before={"role": old},
                after={"role": new},
            )
        bulk_update_with_history(changed, Affiliation, ["role"], default_user=user)


def _apply_changes(record, model, drafts, user):
    if not drafts:
        return
    now = timezone.now()
    instances, fields, changes = [], set(), []
    for draft in drafts:
        instance = draft.instance
        for name, value in draft.changes.items():
            setattr(instance, name, value)
            fields.add(name)
        if hasattr(instance, "updated_at"):
            instance.updated_at = now
        if model is Organisation:
            instance.domain = website_domain(instance.website)
        instances.append(instance)
        changes.append(
            ImportChange(
                record=record,
                model=_label(model),
                object_id=instance.pk,
                before=dict(draft.before),
                after={k: str(v) for k, v in draft.changes.items()},
            )
        )
    if model is Organisation:
        fields.add("domain")
    if any(hasattr(i, "updated_at") for i in instances):
        fields.add("updated_at")
    bulk_update_with_history(instances, model, sorted(fields), batch_size=BATCH, default_user=user)
    ImportChange.objects.bulk_create(changes, batch_size=BATCH)


def remember_created(record, model, instances):
    if instances:
        ids = record.created_ids.setdefault(_label(model), [])
        ids.extend(i.pk for i in instances)
