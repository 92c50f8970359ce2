"""An ask's signatures exported in Action Network's and CiviCRM's column layouts, and
read back by the import as signatures of the same ask: every row unchanged."""

import csv
import io
import logging

import pytest
from django.core.management import call_command
from django.urls import reverse

from crm.models import Contact, ExportFile, Organisation
from outreach.models import Signature
from outreach.resources import ACTION_NETWORK_COLUMNS, CIVICRM_COLUMNS
from outreach.services import signature_record
from tests.crm.importing.helpers import do_import
from tests.factories import make_ask, make_user

pytestmark = pytest.mark.django_db

LAYOUTS = [
    ("action-network", "signatures-an", ACTION_NETWORK_COLUMNS),
    ("civicrm", "signatures-civicrm", CIVICRM_COLUMNS),
]
# No parentheses: the import reads "Name (X)" as a name and its acronym, in any layout.
FORMULA = "=1+1 Foundation"


@pytest.fixture
def coordinator(client):
    client.force_login(make_user("coord", role="coordinator"))
    return client


@pytest.fixture
def ask():
    ask = make_ask(slug="ban-biometrics")
    liga = Organisation.objects.create(name="Liga voor Mensenrechten", country="NL")
    ana = Contact.objects.create(first_name="Ana", last_name="López", email="ana@liga.eu")
    signature_record(ask=ask, organisation=liga, contact=ana, role="Director", public=True)
    evil = Organisation.objects.create(name=FORMULA, country="DE")
    signature_record(ask=ask, organisation=evil, display_name="-Evil Corp", public=False)
    zoe = Contact.objects.create(first_name="Zoë", last_name="Martin", email="zoe@example.fr")
    signature_record(
        ask=ask, contact=zoe, affiliation_text="@Université de Lyon", country="FR", public=True
    )
    kenji = Contact.objects.create(first_name="健司", last_name="佐藤", email="kenji@example.jp")
    signature_record(ask=ask, contact=kenji, display_name="Dr 佐藤 健司", country="JP")
    for email, language in (("ana@liga.eu", "nl"), ("zoe@example.fr", "fr"), ("kenji", "ja")):
        Signature.objects.filter(contact__email__startswith=email).update(language=language)
    return ask


def export(client, ask, layout):
    url = reverse("outreach:signature-list", args=[ask.pk])
    response = client.get(url, {"export": "csv", "layout": layout})
    assert response.status_code == 200, response.content[:300]
    return response.content


def rows(content):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize(("layout", "kind", "columns"), LAYOUTS)
def test_it_writes_the_tools_columns_in_their_order(coordinator, ask, layout, kind, columns):
    content = export(coordinator, ask, layout)

    header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header == list(columns)
    assert len(rows(content)) == 4


@pytest.mark.parametrize(("layout", "kind", "columns"), LAYOUTS)
def test_it_reimports_as_every_row_unchanged(coordinator, ask, layout, kind, columns):
    content = export(coordinator, ask, layout)

    outcome = do_import("signatures", content, ask=ask, commit=False)

    assert outcome.errors == []
    assert outcome.warnings == []
    counts = outcome.counts
    assert (counts["new"], counts["updated"], counts["unchanged"]) == (0, 0, 4)
    assert (counts["invalid"], counts["organisations_new"]) == (0, 0)


@pytest.mark.parametrize(("layout", "kind", "columns"), LAYOUTS)
def test_committing_the_reimport_writes_nothing(coordinator, ask, layout, kind, columns):
    before = list(Signature.objects.values().order_by("pk"))
    content = export(coordinator, ask, layout)

    outcome = do_import("signatures", content, ask=ask)

    assert outcome.committed
    assert list(Signature.objects.values().order_by("pk")) == before
    assert Contact.objects.count() == 3


@pytest.mark.parametrize(("layout", "kind", "columns"), LAYOUTS)
def test_an_edited_row_is_reported_updated(coordinator, ask, layout, kind, columns):
    role_column = "Role" if layout == "action-network" else "Job Title"
    edited = rows(export(coordinator, ask, layout))
    edited[0][role_column] = "Board member"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns))
    writer.writeheader()
    writer.writerows(edited)

    outcome = do_import("signatures", buffer.getvalue().encode(), ask=ask, commit=False)

    assert (outcome.counts["updated"], outcome.counts["unchanged"]) == (1, 3)


@pytest.mark.parametrize(("layout", "kind", "columns"), LAYOUTS)
def test_formula_looking_cells_stay_escaped(coordinator, ask, layout, kind, columns):
    organisation = "Organization" if layout == "action-network" else "Current Employer"
    published = "Name as published" if layout == "action-network" else "Display Name"
    affiliation = "Affiliation" if layout == "action-network" else "Current Employer"

    exported = rows(export(coordinator, ask, layout))

    cells = {(row[organisation], row[published]) for row in exported}
    assert ("'" + FORMULA, "'-Evil Corp") in cells
    assert any(row[affiliation] == "'@Université de Lyon" for row in exported)
    assert not any(value.startswith(("=", "-", "@", "+")) for r in exported for value in r.values())


@pytest.mark.parametrize(("layout", "kind", "columns"), LAYOUTS)
def test_it_is_logged_as_an_export_of_its_layout(coordinator, ask, layout, kind, columns, caplog):
    with caplog.at_level(logging.INFO, logger="coalition.audit"):
        export(coordinator, ask, layout)

    (line,) = [r for r in caplog.records if r.name == "coalition.audit"]
    assert (line.kind, line.rows, line.filter, line.format) == (kind, 4, f"ask={ask.slug}", "csv")


@pytest.mark.parametrize("role", ["campaigner", "viewer"])
@pytest.mark.parametrize(("layout", "kind", "columns"), LAYOUTS)
def test_it_needs_the_export_permission(client, ask, layout, kind, columns, role):
    client.force_login(make_user("someone", role=role))
    url = reverse("outreach:signature-list", args=[ask.pk])

    response = client.get(url, {"export": "csv", "layout": layout})

    assert response.status_code == 403


@pytest.mark.parametrize(("layout", "kind", "columns"), LAYOUTS)
def test_the_command_writes_the_layouts_too(ask, layout, kind, columns, capsys):
    call_command("export_records", kind, "--ask", ask.slug)

    out = capsys.readouterr().out
    assert next(csv.reader(io.StringIO(out.lstrip("\ufeff")))) == list(columns)
    assert len(list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))) == 4


@pytest.mark.parametrize(("layout", "kind", "columns"), LAYOUTS)
def test_a_large_export_is_written_in_the_background_in_the_same_layout(
    coordinator, ask, layout, kind, columns, settings
):
    direct = rows(export(coordinator, ask, layout))
    settings.EXPORT_IN_BACKGROUND_AFTER = 2
    url = reverse("outreach:signature-list", args=[ask.pk])

    response = coordinator.get(url, {"export": "csv", "layout": layout})

    export_file = ExportFile.objects.get()
    assert response.url == export_file.get_absolute_url()
    assert (export_file.kind, export_file.query, export_file.rows_total) == (kind, "", 4)
    download = coordinator.get(reverse("crm:export-download", args=[export_file.pk]))
    # Written in the order of the records, not of the list: the same rows.
    assert sorted(rows(download.content), key=repr) == sorted(direct, key=repr)


def test_an_unknown_layout_is_the_staff_export(coordinator, ask):
    content = export(coordinator, ask, "../../etc")

    assert "name as published" in rows(content)[0]
