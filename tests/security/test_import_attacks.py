"""Attacks through imports and the files people download from them (issue 16)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.importing.reading import NUL_REMOVED, _tabulate
from crm.models import Contact, ImportRecord, Tag
from crm.privacy import subject_export, subject_export_csv_rows
from tests.crm.importing.helpers import csv_bytes, do_import

pytestmark = pytest.mark.django_db


def test_a_tag_named_like_a_formula_is_text_in_the_subject_access_export():
    contact = Contact.objects.create(first_name="Zoë", last_name="Müller")
    contact.tags.add(Tag.objects.create(name='=HYPERLINK("http://evil.example","x")'))

    rows = list(subject_export_csv_rows(subject_export(contact=contact)))

    tag_cells = [row[3] for row in rows if row[2] == "tag"]
    assert tag_cells == ['\'=HYPERLINK("http://evil.example","x")']


def test_a_column_named_like_a_formula_is_text_in_the_import_errors_csv(staff_client):
    staff_client.post(
        reverse("imports:upload"),
        {"kind": "contacts", "file": SimpleUploadedFile("p.csv", csv_bytes([["Email"], ["x"]]))},
    )
    record = ImportRecord.objects.get()
    record.errors = [{"row": 2, "column": "=cmd|' /C calc'!A0", "value": "x", "reason": "@bad"}]
    record.save(update_fields=["errors"])

    response = staff_client.get(reverse("imports:errors-csv", args=[record.pk]))

    body = response.content.decode("utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in body
    assert "'@bad" in body


def test_a_file_of_ten_thousand_columns_is_refused_at_upload_naming_the_count(staff_client):
    wide = csv_bytes([[f"c{i}" for i in range(10_000)], ["x"] * 10_000])

    response = staff_client.post(
        reverse("imports:upload"),
        {"kind": "contacts", "file": SimpleUploadedFile("wide.csv", wide)},
    )

    assert response.status_code == 200
    assert "10000 columns" in response.text
    assert "the most accepted is 200" in response.text
    assert ImportRecord.objects.count() == 0


def test_the_column_limit_is_a_setting(staff_client, settings):
    settings.IMPORT_MAX_COLUMNS = 3

    response = staff_client.post(
        reverse("imports:upload"),
        {"kind": "contacts", "file": SimpleUploadedFile("p.csv", csv_bytes([list("abcd")]))},
    )

    assert "4 columns; the most accepted is 3" in response.text


def test_nul_bytes_in_a_csv_are_stripped_from_names_and_notes_with_a_warning():
    data = csv_bytes(
        [["Email", "First name", "Notes"], ["zoe@example.org", "Zo\x00ë", "call\x00 back"]]
    )

    outcome = do_import("contacts", data)

    contact = Contact.objects.get(email="zoe@example.org")
    assert (contact.first_name, contact.notes) == ("Zoë", "call back")
    assert [w["row"] for w in outcome.warnings if w["reason"] == NUL_REMOVED] == [2]


def test_nul_bytes_are_stripped_from_xlsx_cells_at_reading():
    table = _tabulate([["Email", "First name"], ["a@example.org", "A\x00na"]], ragged=True)

    assert table.rows[0].cells == ["a@example.org", "Ana"]
    assert table.warnings[0]["row"] == 2


def test_a_csv_mixing_utf8_and_cp1252_rows_is_decoded_per_row_with_a_warning():
    data = (
        b"Email,First name,Last name\r\n"
        + "zoe@example.org,Zoë,Müller\r\n".encode()
        + "jose@example.org,José,Peña\r\n".encode("cp1252")
    )

    outcome = do_import("contacts", data)

    names = set(Contact.objects.values_list("first_name", "last_name"))
    assert names == {("Zoë", "Müller"), ("José", "Peña")}
    assert any("Lines 3 " in w["reason"] for w in outcome.warnings)


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_a_csv_in_one_encoding_is_read_unchanged_without_a_mixture_warning(encoding):
    data = csv_bytes([["Email", "First name"], ["zoe@example.org", "Zoë"]], encoding=encoding)

    outcome = do_import("contacts", data)

    assert Contact.objects.get().first_name == "Zoë"
    assert not any("Windows-1252 and" in w["reason"] for w in outcome.warnings)


@pytest.mark.parametrize(
    "website",
    [
        "javascript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "JaVaScRiPt:x",
    ],
)
def test_an_imported_javascript_or_data_website_is_left_out_and_the_row_kept(website):
    from crm.importing.planning import WEBSITE_LEFT_OUT
    from crm.models import Organisation

    outcome = do_import("organisations", csv_bytes([["Name", "Website"], ["Datenwerk", website]]))

    organisation = Organisation.objects.get()
    assert (organisation.name, organisation.website) == ("Datenwerk", "")
    assert [w["reason"] for w in outcome.warnings] == [WEBSITE_LEFT_OUT]


def test_an_imported_bare_domain_is_kept_as_a_web_address():
    from crm.models import Organisation

    do_import("organisations", csv_bytes([["Name", "Website"], ["Datenwerk", "datenwerk.example"]]))

    assert Organisation.objects.get().website == "https://datenwerk.example"


def test_a_large_xlsx_streams_rows_instead_of_loading_the_whole_sheet(monkeypatch):
    """Item 17: a 200,000-row XLSX grew the web process by about 1 GB (whole sheet loaded)."""
    import openpyxl

    from crm.importing.reading import read_table
    from tests.crm.importing.helpers import xlsx_bytes

    seen = []
    load = openpyxl.load_workbook

    def spy(*args, **kwargs):
        seen.append(kwargs.get("read_only"))
        return load(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", spy)

    table = read_table(xlsx_bytes([["E-mail"], ["a@example.org"]]), filename="x.xlsx")

    assert seen == [True] and len(table.rows) == 1


def test_an_xlsx_over_the_row_limit_is_refused_while_streaming(settings):
    from crm.importing.reading import FileUnreadable, read_table
    from tests.crm.importing.helpers import xlsx_bytes

    settings.IMPORT_MAX_ROWS = 5

    with pytest.raises(FileUnreadable, match="more than 5 rows"):
        read_table(xlsx_bytes([["E-mail"]] + [["a@example.org"]] * 40), filename="x.xlsx")
