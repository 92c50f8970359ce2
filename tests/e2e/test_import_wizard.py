import re

import pytest
from playwright.sync_api import expect

from crm.models import Contact
from tests.crm.importing.helpers import csv_bytes
from tests.e2e.conftest import sign_in
from tests.factories import make_organisation, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_upload_see_the_row_errors_confirm_and_see_the_result(page, screenshot, tmp_path):
    make_user("coordinator", first_name="Ines")
    make_organisation(name="European Digital Rights", acronym="EDRi")
    path = tmp_path / "partners.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["Partner list, autumn"],
                ["Prénom", "Nom", "Courriel", "Organisation", "Pays"],
                ["Ana", "López", "ana@example.org", "EDRi", "Espagne"],
                ["Ben", "Ng", "BEN@example.org ", "Liga für Grundrechte", "Deutschland"],
                ["Ben", "", "ben@example.org", "", ""],
                ["Cleo", "Ray", "cleo-at-example.org", "Privacy First", "NL"],
            ],
            delimiter=";",
            encoding="cp1252",
        )
    )
    sign_in(page, "coordinator", "pw")

    page.get_by_role("link", name="Imports").click()
    page.get_by_role("link", name="New import").first.click()
    page.get_by_label("Spreadsheet").set_input_files(str(path))
    page.get_by_role("button", name="Upload and map columns").click()

    expect(page).to_have_title(re.compile("Columns of partners.csv"))
    expect(page.get_by_label("Courriel")).to_have_value("email")
    screenshot("import-mapping")
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_role("heading", name=re.compile("Preview"))).to_be_visible()
    errors = page.get_by_test_id("row-errors")
    expect(errors).to_contain_text("“cleo-at-example.org” is not a valid e-mail address.")
    expect(page.locator('dd[data-count="merged"]')).to_have_text("1")
    screenshot("import-preview")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("import-preview-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert Contact.objects.count() == 0

    page.get_by_label("Import the valid rows and skip the invalid ones listed above").check()
    page.get_by_role("button", name="Import", exact=True).click()

    expect(page.get_by_role("heading", name=re.compile("Imported"))).to_be_visible()
    expect(page.locator('dd[data-count="new"]')).to_have_text("2")
    expect(page.locator('dd[data-count="organisations_matched"]')).to_have_text("1")
    screenshot("import-result")
    assert set(Contact.objects.values_list("email", flat=True)) == {
        "ana@example.org",
        "ben@example.org",
    }
