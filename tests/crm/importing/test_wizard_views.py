import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.models import Contact, ImportRecord, SavedMapping
from tests.crm.importing.helpers import csv_bytes

pytestmark = pytest.mark.django_db

DATA = csv_bytes(
    [
        ["Courriel", "Prénom", "Organisation"],
        ["ana@example.org", "Ana", "Liga"],
        ["bad", "Ben", "Liga"],
        ["cy@example.org", "Cy", "=cmd"],
    ]
)


def _upload(client, data=DATA, name="people.csv", **fields):
    return client.post(
        reverse("imports:upload"),
        {"kind": "contacts", "file": SimpleUploadedFile(name, data), **fields},
    )


def _map(client, record, **extra):
    fields = {f"column_{i}": f for i, f in enumerate(record.mapping)}
    return client.post(
        reverse("imports:mapping", args=[record.pk]),
        {**fields, "policy": "fill", "dates": "day", **extra},
    )


def test_it_walks_upload_mapping_preview_confirm_result(staff_client):
    response = _upload(staff_client)
    record = ImportRecord.objects.get()
    assert response.url == reverse("imports:mapping", args=[record.pk])
    assert record.mapping == ["email", "first_name", "organisation"]

    page = staff_client.get(response.url)
    assert page.status_code == 200
    assert "Which column holds what?" in page.text

    response = _map(staff_client, record, save_as="Partner list")
    record.refresh_from_db()
    assert record.status == ImportRecord.Status.PREVIEWED  # the immediate task backend
    assert SavedMapping.objects.get().columns["Courriel"] == "email"
    preview = staff_client.get(response.url)
    assert "“bad” is not a valid e-mail address." in preview.text
    assert Contact.objects.count() == 0

    staff_client.post(reverse("imports:confirm", args=[record.pk]), {})
    record.refresh_from_db()
    assert record.status == ImportRecord.Status.REFUSED
    assert Contact.objects.count() == 0

    record.status = ImportRecord.Status.PREVIEWED
    record.save()
    staff_client.post(reverse("imports:confirm", args=[record.pk]), {"skip_invalid": "on"})
    record.refresh_from_db()
    assert record.status == ImportRecord.Status.COMMITTED
    assert record.counts["new"] == 2
    assert record.data == b""
    result = staff_client.get(record.get_absolute_url())
    assert "Imported" in result.text


def test_the_error_report_downloads_as_csv_with_formula_cells_neutralised(staff_client):
    _upload(staff_client, data=csv_bytes([["Email"], ["=1+1"]]))
    record = ImportRecord.objects.get()
    _map(staff_client, record)

    response = staff_client.get(reverse("imports:errors-csv", args=[record.pk]))

    assert response["Content-Type"].startswith("text/csv")
    assert "2,Email,'=1+1," in response.content.decode("utf-8-sig")


def test_a_file_over_the_size_limit_is_refused_with_413(staff_client, settings):
    settings.IMPORT_MAX_BYTES = 50

    response = _upload(staff_client, data=csv_bytes([["Email"]] + [["a@example.org"]] * 10))

    assert response.status_code == 413
    assert "largest file accepted" in response.text
    assert ImportRecord.objects.count() == 0


def test_an_unreadable_file_is_named_on_the_form(staff_client):
    response = _upload(staff_client, data=b"PK\x03\x04broken", name="x.xlsx")

    assert response.status_code == 200
    assert "not a valid XLSX file" in response.text


def test_the_progress_poll_reloads_the_page_when_the_step_is_done(staff_client):
    _upload(staff_client)
    record = ImportRecord.objects.get()

    response = staff_client.get(reverse("imports:progress", args=[record.pk]))

    assert response.headers["HX-Refresh"] == "true"


def test_undo_from_the_wizard(staff_client):
    _upload(staff_client, data=csv_bytes([["Email"], ["a@example.org"]]))
    record = ImportRecord.objects.get()
    _map(staff_client, record)
    staff_client.post(reverse("imports:confirm", args=[record.pk]), {})
    assert Contact.objects.count() == 1

    page = staff_client.get(reverse("imports:undo", args=[record.pk]))
    assert "will be removed" in page.text
    staff_client.post(reverse("imports:undo", args=[record.pk]))

    assert Contact.objects.count() == 0


def test_the_import_list_has_constant_queries(staff_client, django_assert_max_num_queries):
    for _ in range(3):
        _upload(staff_client)
    with django_assert_max_num_queries(8):
        response = staff_client.get(reverse("imports:list"))
    assert response.text.count("people.csv") == 3


def test_outsiders_are_kept_out(client):
    from tests.factories import make_user

    client.force_login(make_user("outsider", is_staff=False))

    assert client.get(reverse("imports:upload")).status_code == 403


def test_the_sheet_of_a_workbook_is_chosen_on_the_mapping_page(staff_client):
    from tests.crm.importing.helpers import xlsx_bytes

    data = xlsx_bytes(
        [["Title only"]],
        sheet="Cover",
        extra_sheets=[("People", [["E-mail", "Vorname"], ["a@example.org", "Ana"]])],
    )
    _upload(staff_client, data=data, name="book.xlsx")
    record = ImportRecord.objects.get()
    page = staff_client.get(reverse("imports:mapping", args=[record.pk]))
    assert "Read this sheet" in page.text

    staff_client.get(reverse("imports:mapping", args=[record.pk]), {"sheet": "People"})

    record.refresh_from_db()
    assert (record.options["sheet"], record.mapping) == ("People", ["email", "first_name"])


def test_a_running_import_shows_its_progress_and_polls(staff_client):
    _upload(staff_client)
    record = ImportRecord.objects.get()
    record.status = ImportRecord.Status.PREVIEWING
    record.progress_done, record.progress_total = 2000, 8000
    record.save()

    page = staff_client.get(record.get_absolute_url())
    poll = staff_client.get(reverse("imports:progress", args=[record.pk]))

    assert 'hx-trigger="every 1s"' in page.text
    assert 'value="25"' in poll.text
    assert "2,000 of 8,000 rows" in poll.text


def test_files_of_unfinished_imports_are_dropped_after_a_while(staff_client):
    import datetime

    from django.utils import timezone

    _upload(staff_client)
    old = ImportRecord.objects.get()
    ImportRecord.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )

    _upload(staff_client)

    old.refresh_from_db()
    assert (bytes(old.data), bytes(old.table)) == (b"", b"")
    assert ImportRecord.objects.latest("pk").has_file
    assert staff_client.get(reverse("imports:mapping", args=[old.pk])).status_code == 302


def test_the_file_is_read_once_in_the_worker_and_only_what_was_read_is_kept(
    staff_client, monkeypatch
):
    from crm.importing import reading, run

    _upload(staff_client)
    record = ImportRecord.objects.get()
    assert record.status == ImportRecord.Status.UPLOADED
    assert bytes(record.data) == b""  # one copy: the table as read
    assert reading.unpack_table(record.table).headers == ["Courriel", "Prénom", "Organisation"]

    def read_again(*args, **kwargs):
        raise AssertionError("the file was read again")

    monkeypatch.setattr(run, "read_table", read_again)
    assert staff_client.get(reverse("imports:mapping", args=[record.pk])).status_code == 200
    staff_client.post(
        reverse("imports:mapping", args=[record.pk]),
        {"column_0": "email", "column_1": "first_name", "policy": "fill", "dates": "day"},
    )
    record.refresh_from_db()
    assert record.status == ImportRecord.Status.PREVIEWED
    staff_client.post(reverse("imports:confirm", args=[record.pk]), {"skip_invalid": "on"})
    record.refresh_from_db()
    assert record.status == ImportRecord.Status.COMMITTED
    assert not record.has_file


def test_with_a_worker_the_upload_waits_on_the_reading_page(staff_client, monkeypatch):
    from crm.importing import views

    class BusyWorker:  # the task is queued and not run yet
        def enqueue(self, record_id):
            pass

    monkeypatch.setattr(views, "import_read", BusyWorker())

    response = _upload(staff_client)

    record = ImportRecord.objects.get()
    assert record.status == ImportRecord.Status.READING
    assert response.url == record.get_absolute_url()
    page = staff_client.get(response.url)
    assert "Reading the file" in page.text
    assert staff_client.get(reverse("imports:progress", args=[record.pk])).status_code == 200


def test_a_workbook_date_survives_the_copy_kept_of_the_file():
    import datetime

    from crm.importing import reading
    from tests.crm.importing.helpers import xlsx_bytes

    table = reading.read_table(
        xlsx_bytes([["Date", "n"], [datetime.date(2023, 9, 26), 3]]), filename="x.xlsx"
    )

    copy = reading.unpack_table(reading.pack_table(table))

    assert copy == table


def test_the_records_an_import_created_and_changed_are_listed(staff_client):
    Contact.objects.create(first_name="Old", email="old@example.org")
    data = csv_bytes(
        [
            ["Email", "Last name", "Organisation"],
            ["old@example.org", "Timer", ""],
            ["new@example.org", "Comer", "Liga"],
        ]
    )
    _upload(staff_client, data=data)
    record = ImportRecord.objects.get()
    _map(staff_client, record)
    staff_client.post(reverse("imports:confirm", args=[record.pk]), {})

    page = staff_client.get(reverse("imports:records", args=[record.pk]))

    assert page.status_code == 200
    text = page.text
    assert "Created contacts" in text and "Comer" in text
    assert "Created organisations" in text and "Liga" in text
    assert "<td>Last name</td><td>(blank)</td><td>Timer</td>" in text
