"""The audit trail: history entries for every audited model, shown on each record's page
in a constant number of queries, and log lines for exports and imports that never list
the people exported or imported."""

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm import services
from crm.history import record_history
from crm.importing import run
from crm.importing.undo import import_undo
from crm.models import Affiliation, ConsentRecord, Contact, ImportRecord, Organisation
from crm.roles import CAMPAIGNER, COORDINATOR, VIEWER
from outreach.models import Outreach, Signature
from outreach.services import outreach_change_stage, signature_withdraw
from tests.crm.importing.helpers import csv_bytes, do_import
from tests.factories import (
    make_ask,
    make_contact,
    make_organisation,
    make_outreach,
    make_signature,
    make_user,
)

pytestmark = pytest.mark.django_db

AUDIT = "coalition.audit"


def _audit_lines(caplog):
    return [r for r in caplog.records if r.name == AUDIT]


def _text_of(record):
    return record.getMessage() + " " + repr(record.__dict__)


# --- history entries for each audited model ---------------------------------------------


def _kinds(instance, model):
    return list(
        model.history.filter(id=instance.pk)
        .order_by("history_date", "history_id")
        .values_list("history_type", "history_user__username")
    )


def test_organisations_and_contacts_record_create_update_delete_with_the_user():
    user = make_user("ana", role=COORDINATOR)
    organisation = services.organisation_save(
        organisation=Organisation(name="Digital Rights"), m2m={}, by=user
    )
    organisation.name = "Digital Rights Watch"
    services.organisation_save(organisation=organisation, m2m={}, by=user)
    contact = services.contact_save(contact=Contact(first_name="Ana"), m2m={}, by=user)
    contact.last_name = "Lopes"
    services.contact_save(contact=contact, m2m={}, by=user)
    organisation._history_user = user
    organisation_pk = organisation.pk
    organisation.delete()
    organisation.pk = organisation_pk

    assert _kinds(organisation, Organisation) == [("+", "ana"), ("~", "ana"), ("-", "ana")]
    assert _kinds(contact, Contact) == [("+", "ana"), ("~", "ana")]


def test_affiliations_consents_outreach_and_signatures_keep_history():
    user = make_user("ben", role=COORDINATOR)
    organisation, contact = make_organisation(), make_contact()
    affiliation = services.affiliation_save(
        affiliation=Affiliation(contact=contact, organisation=organisation), by=user
    )
    consent = ConsentRecord(contact=contact, purpose="newsletter", given_at=timezone.now())
    consent._history_user = user
    consent.save()
    entry = make_outreach(ask=make_ask(), organisation=organisation)
    outreach_change_stage(outreach=entry, stage="invited", by=user)
    signature = make_signature(entry.ask)
    signature_withdraw(signature=signature, by=user, reason="Asked to")

    assert _kinds(affiliation, Affiliation)[-1] == ("+", "ben")
    assert _kinds(consent, ConsentRecord) == [("+", "ben")]
    assert _kinds(entry, Outreach)[-1] == ("~", "ben")
    assert _kinds(signature, Signature)[-1] == ("~", "ben")


def test_an_import_records_who_uploaded_imported_and_undid_it():
    user = make_user("cleo", role=COORDINATOR)
    data = csv_bytes([["first name", "email"], ["Ana", "ana@example.org"]])
    do_import("contacts", data, user=user)
    record = ImportRecord.objects.get()
    import_undo(record=record, by=user)
    history = list(record.history.order_by("history_date", "history_id"))
    assert [(h.history_type, h.status, h.history_user) for h in history][-2:] == [
        ("~", "committed", user),
        ("~", "undone", user),
    ]
    # The file and its rows are not copied into the history.
    assert not hasattr(history[0], "data") and not hasattr(history[0], "errors")


# --- shown on each record's page ---------------------------------------------------------


def test_the_history_says_who_changed_which_field_from_what_to_what():
    user = make_user("dana", role=COORDINATOR)
    organisation = services.organisation_save(
        organisation=Organisation(name="Old name", city="Lyon"), m2m={}, by=user
    )
    organisation.name = "New name"
    services.organisation_save(organisation=organisation, m2m={}, by=user)

    history = record_history(organisation)
    latest, created = history.entries
    assert (latest.kind, latest.user, history.total) == ("~", user, 2)
    assert [(c.label, c.old, c.new) for c in latest.changes] == [("name", "Old name", "New name")]
    assert ("city", "", "Lyon") in [(c.label, c.old, c.new) for c in created.changes]


def test_the_history_reads_the_same_number_of_queries_however_long_it_is():
    user = make_user(role=COORDINATOR)
    organisation = make_organisation()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            record_history(organisation, limit=5)
        return len(captured)

    few = queries()
    for n in range(12):
        organisation.name = f"Name {n}"
        services.organisation_save(organisation=organisation, m2m={}, by=user)
    history = record_history(organisation, limit=5)
    assert queries() == few
    assert (len(history.entries), history.more) == (5, 8)


@pytest.mark.parametrize(
    "page",
    ["organisation", "contact", "outreach", "signature", "import"],
)
def test_each_record_page_shows_its_history(client, page):
    user = make_user("erin", role=VIEWER)
    editor = make_user("finn", role=CAMPAIGNER)
    client.force_login(user)
    organisation = services.organisation_save(
        organisation=Organisation(name="Privacy First"), m2m={}, by=editor
    )
    if page == "organisation":
        url = organisation.get_absolute_url()
    elif page == "contact":
        url = services.contact_save(contact=Contact(first_name="Gil"), m2m={}, by=editor)
        url = url.get_absolute_url()
    elif page == "outreach":
        entry = make_outreach(ask=make_ask(), organisation=organisation)
        outreach_change_stage(outreach=entry, stage="invited", by=editor)
        url = entry.get_absolute_url()
    elif page == "signature":
        signature = make_signature(make_ask())
        signature_withdraw(signature=signature, by=editor, reason="Asked to")
        url = reverse("outreach:signature-edit", args=[signature.pk])
    else:
        data = csv_bytes([["first name", "email"], ["Ana", "ana@example.org"]])
        do_import("contacts", data, user=editor)
        url = ImportRecord.objects.get().get_absolute_url()
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="record-history-heading"' in html
    assert "finn" in html


def test_the_record_page_does_not_read_more_with_a_longer_history(client):
    user = make_user(role=COORDINATOR)
    client.force_login(user)
    organisation = make_organisation()

    def count():
        with CaptureQueriesContext(connection) as captured:
            client.get(organisation.get_absolute_url())
        return len(captured)

    organisation.name = "First change"
    services.organisation_save(organisation=organisation, m2m={}, by=user)
    before = count()
    for n in range(15):
        organisation.name = f"Change {n}"
        services.organisation_save(organisation=organisation, m2m={}, by=user)
    assert count() == before


# --- log lines -------------------------------------------------------------------------


def test_a_list_export_logs_who_which_filter_and_how_many_rows_not_the_rows(client, caplog):
    caplog.set_level(logging.INFO, logger=AUDIT)
    user = make_user("gus", role=COORDINATOR)
    client.force_login(user)
    make_contact(first_name="Ana", email="ana.secret@example.org", country="PT")
    make_contact(first_name="Bo", email="bo.secret@example.org", country="PT")
    make_contact(first_name="Cy", email="cy@example.org", country="FR")

    response = client.post(
        reverse("crm:contact-bulk"), {"action": "export_csv", "scope": "all", "query": "country=PT"}
    )
    assert response.status_code == 200
    [line] = _audit_lines(caplog)
    assert line.username == "gus" and line.rows == 2 and line.filter == "country=PT"
    assert line.what == "contacts" and line.format == "csv"
    assert "@" not in _text_of(line)


def test_report_signature_and_snapshot_downloads_are_logged(client, caplog):
    caplog.set_level(logging.INFO, logger=AUDIT)
    client.force_login(make_user("hal", role=COORDINATOR))
    ask = make_ask()
    make_signature(ask, email="signer.secret@example.org")
    client.get(reverse("outreach:report-ask-download", args=[ask.slug, "growth", "csv"]))
    client.get(reverse("outreach:signature-list", args=[ask.pk]), {"export": "csv"})
    lines = _audit_lines(caplog)
    assert [line.what for line in lines] == [f"report growth of {ask.slug}", "signatures"]
    assert lines[1].filter == f"ask={ask.slug}"
    assert lines[1].rows == 1
    assert all("signer.secret" not in _text_of(line) for line in lines)


def test_a_refused_export_is_not_logged_as_one(client, caplog):
    caplog.set_level(logging.INFO, logger=AUDIT)
    client.force_login(make_user(role=CAMPAIGNER))
    response = client.post(reverse("crm:contact-bulk"), {"action": "export_csv", "scope": "all"})
    assert response.status_code == 403
    assert _audit_lines(caplog) == []


def test_imports_and_their_undo_are_logged_with_counts_and_no_addresses(caplog):
    caplog.set_level(logging.INFO, logger=AUDIT)
    user = make_user("ivy", role=COORDINATOR)
    data = csv_bytes(
        [["first name", "email"], ["Ana", "ana.private@example.org"], ["Bo", "not-an-email"]]
    )
    record = run.new_record(
        kind="contacts", data=data, file_name="f.csv", user=user, options={"skip_invalid": True}
    )
    run.preview(record, progress=False)
    assert _audit_lines(caplog) == []  # a preview changes nothing
    run.commit(record, user=user, progress=False)
    import_undo(record=ImportRecord.objects.get(), by=user)

    committed, undone = _audit_lines(caplog)
    assert (committed.username, committed.kind, committed.status) == (
        "ivy",
        "contacts",
        "committed",
    )
    assert committed.counts["invalid"] == 1
    assert undone.status == "undone"
    assert all("private" not in _text_of(line) for line in (committed, undone))
