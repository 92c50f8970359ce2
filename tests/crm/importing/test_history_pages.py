"""The import history reads as a campaigner expects: names, words and sentences, never a
raw id or stored JSON; its lists stay paginated and their queries bounded."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.history import record_history
from crm.importing import report
from crm.models import Contact, ImportRecord, Organisation
from crm.privacy import subject_erase
from tests.crm.importing.helpers import csv_bytes
from tests.crm.importing.test_wizard_views import _map, _upload

pytestmark = pytest.mark.django_db

FILE = csv_bytes(
    [
        ["Email", "Last name", "Organisation", "Phone", "Country", "Shoe size"],
        ["old@example.org", "Timer", "", "", "", "42"],
        ["new@example.org", "Comer", "Liga", "12", "Narnia", "40"],
        ["bad", "X", "", "", "", ""],
    ]
)


def _import(client, data=FILE, name="partners.csv"):
    _upload(client, data=data, name=name)
    record = ImportRecord.objects.latest("pk")
    _map(client, record)
    client.post(reverse("imports:confirm", args=[record.pk]), {"skip_invalid": "on"})
    record.refresh_from_db()
    return record


def _pages(client, record):
    urls = {
        "list": reverse("imports:list"),
        "detail": record.get_absolute_url(),
        "records": reverse("imports:records", args=[record.pk]),
    }
    return {name: html.unescape(client.get(url).text) for name, url in urls.items()}


def _main(text):
    return text[text.index("<main") : text.index("</main>")]


@pytest.fixture
def imported(staff_client):
    Contact.objects.create(first_name="Old", email="old@example.org")
    record = _import(staff_client)
    assert record.status == ImportRecord.Status.COMMITTED
    return record


def test_no_page_of_the_history_shows_stored_json_or_raw_ids(staff_client, imported):
    for name, text in _pages(staff_client, imported).items():
        main = _main(text)
        assert '{"' not in main, name
        assert "[{" not in main, name
        assert not re.search(r"#\d", main), name
        assert "crm.contact" not in main, name


def test_the_list_says_who_imported_what_and_what_came_of_it(staff_client, imported):
    text = _main(_pages(staff_client, imported)["list"])

    row = text[text.index("partners.csv") :]
    assert "Cam Paigner" in row
    assert "Imported" in row
    cells = re.findall(
        r'data-label="(Created|Updated|Skipped|With warnings|Errors)"[^>]*>(\d+)', row
    )
    assert cells == [
        ("Created", "1"),
        ("Updated", "1"),
        ("Skipped", "0"),
        ("With warnings", "1"),
        ("Errors", "1"),
    ]


def test_the_detail_names_rows_and_columns_and_shows_the_mapping_as_a_table(staff_client, imported):
    text = _main(_pages(staff_client, imported)["detail"])

    assert "uploaded by Cam Paigner" in text
    assert "Row 4, column “Email”: “bad” is not a valid e-mail address." in text
    assert "Row 3, column “Country”: “Narnia” is not a country we know" in text
    mapping = text[text.index('data-testid="mapping-used"') :]
    assert '<td>Country</td><td aria-hidden="true">→</td><td>Country</td>' in mapping
    assert "<td>Shoe size</td>" in mapping and "not imported" in mapping
    assert "Fill blanks only: existing values are kept" in text
    assert "Skipped; the valid rows were imported" in text
    # Its history says the same in words, with the person rather than their id.
    history = text[text.index("record-history-heading") :]
    assert "3 rows read, 1 new, 1 updated, 1 with warnings, 1 with errors" in history
    assert '<td>By</td><td><span class="muted">—</span></td><td>Cam Paigner</td>' in history


def test_each_record_links_to_the_organisation_or_contact_by_name(staff_client, imported):
    text = _main(_pages(staff_client, imported)["records"])
    old = Contact.objects.get(email="old@example.org")
    new = Contact.objects.get(email="new@example.org")
    liga = Organisation.objects.get(name="Liga")

    assert f'<a href="{liga.get_absolute_url()}">Liga</a>' in text
    assert f'<a href="{new.get_absolute_url()}">Comer</a>' in text
    assert f'<a href="{old.get_absolute_url()}">Old Timer</a>' in text
    assert "<td>Last name</td><td>(blank)</td><td>Timer</td>" in text


def test_an_erased_or_deleted_record_shows_as_removed(staff_client, imported):
    for contact in Contact.objects.all():
        subject_erase(contact=contact)
    Organisation.objects.filter(name="Liga").delete()  # takes the affiliation with it

    text = _main(_pages(staff_client, imported)["records"])

    assert "Created organisations" in text and "Created affiliations" in text
    assert text.count("(removed)") >= 4  # the organisation, two contacts, the affiliation
    assert "Comer" not in text and "Old Timer" not in text and "Liga" not in text
    assert 'href="/contacts/' not in text and 'href="/organisations/' not in text


def test_the_list_reads_the_same_number_of_queries_for_one_import_or_many(staff_client):
    _import(staff_client, data=csv_bytes([["Email"], ["a@example.org"]]), name="one.csv")
    with CaptureQueriesContext(connection) as one:
        assert staff_client.get(reverse("imports:list")).status_code == 200
    for n in range(4):
        _import(staff_client, data=csv_bytes([["Email"], [f"b{n}@example.org"]]), name="x.csv")

    with CaptureQueriesContext(connection) as five:
        response = staff_client.get(reverse("imports:list"))

    assert response.text.count("x.csv") == 4
    assert len(five) == len(one)


def test_the_records_page_reads_a_fixed_number_of_queries(staff_client):
    def people(n, start=0):
        return csv_bytes(
            [["Email", "Organisation"]]
            + [[f"p{i}@example.org", f"Org {i}"] for i in range(start, start + n)]
        )

    small = _import(staff_client, data=people(2))
    large = _import(staff_client, data=people(30, start=100))

    with CaptureQueriesContext(connection) as few:
        staff_client.get(reverse("imports:records", args=[small.pk]))
    with CaptureQueriesContext(connection) as many:
        page = staff_client.get(reverse("imports:records", args=[large.pk]))

    assert "Org 129" in page.text
    assert len(many) == len(few)


def test_the_history_names_a_user_since_removed_as_removed(staff, imported):
    staff.delete()
    imported.refresh_from_db()

    history = record_history(imported, display=report.HISTORY_DISPLAY, related_names=True)

    created = history.entries[-1]
    by = next(change for change in created.changes if change.label == "by")
    assert by.new == "(removed)"


def test_a_problem_about_the_whole_file_is_a_plain_sentence():
    whole_file = {"row": 0, "column": "", "value": "", "reason": "Dates were read day first."}
    cell = {"row": 7, "column": "Phone", "value": "n/a", "reason": "Not a phone number."}

    assert report.problem_sentence(whole_file) == "Dates were read day first."
    assert report.problem_sentence(cell) == (
        "Row 7, column “Phone”: Not a phone number. (the cell holds “n/a”)"
    )


def test_imports_from_before_count_their_rows_with_warnings():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("crm.migrations.0016_import_counts_warnings")
    warned = {"column": "Phone", "value": "12", "reason": "…"}
    earlier = ImportRecord.objects.create(
        kind="contacts",
        file_name="old.csv",
        counts={"rows": 3, "new": 3},
        warnings=[{**warned, "row": 2}, {**warned, "row": 2}, {**warned, "row": 3, "column": ""}]
        + [{"row": 0, "column": "", "value": "", "reason": "Dates read day first."}],
    )
    unread = ImportRecord.objects.create(kind="contacts", file_name="new.csv")

    migration.count_warnings(apps, None)

    earlier.refresh_from_db()
    unread.refresh_from_db()
    assert earlier.counts == {"rows": 3, "new": 3, "warnings": 2}
    assert unread.counts == {}
