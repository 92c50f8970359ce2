"""Every export path (lists, admin, command line, the hand-written CSV writers) filters as
asked, neutralises formula-looking cells, needs crm.export_records and is logged."""

import csv
import io
import logging

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm import exporting
from crm.models import Affiliation, Contact, Tag
from crm.resources import ContactResource, OrganisationResource
from outreach.models import DeliverySnapshot, Stage
from outreach.resources import OutreachResource, SignatureResource
from tests.factories import (
    make_ask,
    make_contact,
    make_organisation,
    make_outreach,
    make_signature,
    make_user,
)

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","x")'
NEUTRALISED = "'" + FORMULA
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def coordinator(client):
    client.force_login(make_user("coord", role="coordinator"))
    return client


@pytest.fixture
def campaigner(client):
    client.force_login(make_user("camp", role="campaigner"))
    return client


@pytest.fixture
def ask():
    return make_ask(slug="ban-biometrics")


def csv_rows(content):
    if isinstance(content, bytes):
        content = content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


def xlsx_rows(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def audit_lines(caplog):
    return [r for r in caplog.records if r.name == "coalition.audit"]


# The lists ------------------------------------------------------------------------------


def test_the_outreach_table_exports_what_its_filters_show(coordinator, ask, caplog):
    make_outreach(ask, organisation=make_organisation(FORMULA), stage=Stage.INVITED)
    make_outreach(ask, organisation=make_organisation("Prospect org"))
    make_outreach(make_ask(), organisation=make_organisation("Other ask"), stage=Stage.INVITED)
    url = reverse("outreach:ask-table", args=[ask.slug])

    with caplog.at_level(logging.INFO, logger="coalition.audit"):
        response = coordinator.get(url, {"stage": "invited", "export": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="ban-biometrics-outreach-' in response["Content-Disposition"]
    rows = csv_rows(response.content)
    assert [(r["organisation"], r["stage"], r["ask"]) for r in rows] == [
        (NEUTRALISED, "invited", "ban-biometrics")
    ]
    [line] = audit_lines(caplog)
    assert (line.kind, line.rows, line.user, line.via) == ("outreach", 1, "coord", "list")
    assert line.filter == "ask=ban-biometrics&stage=invited"


def test_the_outreach_table_exports_xlsx_with_text_cells(coordinator, ask):
    contact = make_contact("+Plus", "Person", email="plus@example.org")
    make_outreach(ask, organisation=make_organisation("Org"), contact=contact)

    response = coordinator.get(reverse("outreach:ask-table", args=[ask.slug]), {"export": "xlsx"})

    assert response["Content-Type"] == XLSX
    [row] = xlsx_rows(response.content)
    assert row["contact"] == "'+Plus Person" and row["e-mail"] == "plus@example.org"


def test_the_table_page_offers_the_export_links_only_to_who_may_export(client, ask):
    make_outreach(ask)
    url = reverse("outreach:ask-table", args=[ask.slug])

    client.force_login(make_user("coord", role="coordinator"))
    assert b"stage=prospect&amp;export=xlsx" in client.get(url, {"stage": "prospect"}).content
    client.force_login(make_user("camp", role="campaigner"))
    assert b"export=xlsx" not in client.get(url).content


def test_the_signature_page_exports_xlsx_following_its_filters(coordinator, ask, caplog):
    make_signature(ask, name="@Dutch group", country="NL", organisation=True)
    make_signature(ask, name="German group", country="DE", organisation=True)
    url = reverse("outreach:signature-list", args=[ask.pk])

    with caplog.at_level(logging.INFO, logger="coalition.audit"):
        response = coordinator.get(url, {"country": "NL", "export": "xlsx"})

    [row] = xlsx_rows(response.content)
    assert row["name as published"] == "'@Dutch group" and row["country"] == "NL"
    assert row["organisation"] == "'@Dutch group" and row["kind"] == "organisation"
    [line] = audit_lines(caplog)
    assert (line.kind, line.rows, line.filter) == ("signatures", 1, f"ask={ask.slug}&country=NL")
    assert "@example.org" not in line.getMessage()


def test_an_invalid_filter_exports_nothing_and_says_why(coordinator, ask):
    make_signature(ask)
    url = reverse("outreach:signature-list", args=[ask.pk])

    response = coordinator.get(url, {"status": "nonsense", "export": "csv"})

    assert response.status_code == 400
    assert "status" in response.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_people_without_the_export_permission_cannot_export_lists(campaigner, ask, fmt):
    make_outreach(ask)
    make_signature(ask)

    table = campaigner.get(reverse("outreach:ask-table", args=[ask.slug]), {"export": fmt})
    signatures = campaigner.get(reverse("outreach:signature-list", args=[ask.pk]), {"export": fmt})
    contacts = campaigner.post(
        reverse("crm:contact-bulk"), {"action": f"export_{fmt}", "scope": "all"}
    )

    assert table.status_code == signatures.status_code == contacts.status_code == 403


def test_the_contact_list_export_is_logged_without_its_rows(coordinator, caplog):
    make_contact("Ana", "Lima", email="ana@example.org", country="PT")

    with caplog.at_level(logging.INFO, logger="coalition.audit"):
        response = coordinator.post(
            reverse("crm:contact-bulk"),
            {"action": "export_csv", "scope": "all", "query": "country=PT"},
        )

    assert [r["email"] for r in csv_rows(response.content)] == ["ana@example.org"]
    [line] = audit_lines(caplog)
    assert (line.kind, line.rows, line.filter, line.format) == ("contacts", 1, "country=PT", "csv")
    assert "ana@example.org" not in line.getMessage()


# The resources: every cell of every export resource is neutralised ----------------------


@pytest.mark.parametrize(
    "resource", [ContactResource, OrganisationResource, OutreachResource, SignatureResource]
)
def test_every_export_resource_neutralises_every_text_cell(resource, ask):
    organisation = make_organisation(FORMULA, acronym="-A", city="@c", notes="\tn")
    contact = make_contact(FORMULA, "+L", email="x@example.org", notes="\rnote")
    make_outreach(ask, organisation=organisation, contact=contact, notes="=1+1")
    make_signature(ask, name=FORMULA, organisation=True, role="-role")

    dataset = resource().export()

    cells = [cell for row in dataset for cell in row if isinstance(cell, str)]
    assert cells, "nothing exported"
    assert FORMULA in " ".join(cells)  # the text is kept ...
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]  # ... as text


# The admin ------------------------------------------------------------------------------


def _admin_export(client, model_path, resource, query=""):
    fields = {f"{resource.__name__.lower()}_{name}": "on" for name in resource().get_export_order()}
    url = f"/admin/{model_path}/export/{query}"
    return client.post(url, {"format": "0", "resource": "0", **fields})


@pytest.mark.parametrize(
    ("model_path", "resource", "column"),
    [
        ("crm/contact", ContactResource, "first_name"),
        ("crm/organisation", OrganisationResource, "name"),
        ("outreach/outreach", OutreachResource, "organisation"),
        ("outreach/signature", SignatureResource, "name as published"),
    ],
)
def test_the_admin_exports_through_the_neutralising_resources(
    client, ask, caplog, model_path, resource, column
):
    client.force_login(make_user("boss", role="admin", is_superuser=True))
    contact = make_contact(FORMULA, "Person", email="f@example.org")
    make_outreach(ask, organisation=make_organisation(FORMULA), contact=contact)
    make_signature(ask, name=FORMULA)

    with caplog.at_level(logging.INFO, logger="coalition.audit"):
        response = _admin_export(client, model_path, resource)

    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/csv")
    values = [row[column] for row in csv_rows(response.content)]
    assert NEUTRALISED in values and FORMULA not in values
    [line] = audit_lines(caplog)
    assert line.via == "admin" and line.format == "csv" and line.rows == len(values)


def test_the_admin_export_follows_the_changelist_filters(client, ask):
    client.force_login(make_user("boss", role="admin", is_superuser=True))
    make_outreach(ask, organisation=make_organisation("Invited org"), stage=Stage.INVITED)
    make_outreach(ask, organisation=make_organisation("Prospect org"))

    response = _admin_export(client, "outreach/outreach", OutreachResource, "?stage__exact=invited")

    assert [r["organisation"] for r in csv_rows(response.content)] == ["Invited org"]


def test_the_admin_export_needs_the_export_permission(client):
    client.force_login(make_user("camp", role="campaigner"))

    response = _admin_export(client, "crm/contact", ContactResource)

    assert response.status_code == 403


# The command line -----------------------------------------------------------------------


def test_the_command_exports_filtered_contacts_as_csv(capsys, caplog):
    make_user("coord")
    make_contact(FORMULA, "Lima", email="ana@example.org", country="PT")
    make_contact("Ben", "Other", email="ben@example.org", country="DE")

    with caplog.at_level(logging.INFO, logger="coalition.audit"):
        call_command("export_records", "contacts", "country=PT", "--user", "coord")

    rows = csv_rows(capsys.readouterr().out)
    assert [(r["first_name"], r["email"]) for r in rows] == [(NEUTRALISED, "ana@example.org")]
    [line] = audit_lines(caplog)
    assert (line.via, line.user, line.kind, line.rows, line.filter) == (
        "command line",
        "coord",
        "contacts",
        1,
        "country=PT",
    )


def test_the_command_writes_an_asks_signatures_as_xlsx(tmp_path, ask):
    make_signature(ask, name=FORMULA)
    make_signature(make_ask(), name="Elsewhere")
    out = tmp_path / "signatures.xlsx"

    call_command(
        "export_records", "signatures", "--ask", ask.slug, "--format", "xlsx", "--output", str(out)
    )

    assert [r["name as published"] for r in xlsx_rows(out.read_bytes())] == [NEUTRALISED]


def test_the_command_exports_outreach_filtered_by_stage(capsys, ask):
    make_outreach(ask, organisation=make_organisation("-Minus org"), stage=Stage.INVITED)
    make_outreach(ask, organisation=make_organisation("Prospect org"))

    call_command("export_records", "outreach", "--ask", ask.slug, "stage=invited")

    assert [r["organisation"] for r in csv_rows(capsys.readouterr().out)] == ["'-Minus org"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["outreach"], "needs --ask SLUG"),
        (["signatures", "--ask", "nope"], "No ask with the slug “nope”"),
        (["contacts", "country"], "“country” is not a filter"),
        (["contacts", "country=XX"], "The filters are not valid: country"),
        (["organisations", "--format", "xlsx"], "--output FILE"),
        (["organisations", "--user", "ghost"], "No user called “ghost”"),
    ],
)
def test_the_command_refuses_what_it_cannot_do_and_says_why(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_records", *args)


# The API --------------------------------------------------------------------------------


def test_the_api_exports_the_filtered_list_as_csv(coordinator, caplog):
    make_organisation(FORMULA, country="BE")
    make_organisation("Elsewhere", country="FR")

    with caplog.at_level(logging.INFO, logger="coalition.audit"):
        response = coordinator.get("/api/v1/organisations/export/", {"country": "BE"})

    assert response.status_code == 200
    assert [r["name"] for r in csv_rows(response.content)] == [NEUTRALISED]
    [line] = audit_lines(caplog)
    assert (line.via, line.kind, line.filter) == ("api", "organisations", "country=BE")


def test_the_api_exports_an_asks_signatures_as_xlsx(coordinator, ask):
    make_signature(ask, name=FORMULA)
    make_signature(make_ask(), name="Elsewhere")

    response = coordinator.get("/api/v1/signatures/export/", {"ask": ask.pk, "file_format": "xlsx"})

    assert [r["name as published"] for r in xlsx_rows(response.content)] == [NEUTRALISED]


@pytest.mark.parametrize("kind", ["contacts", "organisations", "outreach", "signatures"])
def test_the_api_export_needs_the_export_permission(campaigner, kind):
    response = campaigner.get(f"/api/v1/{kind}/export/")

    assert response.status_code == 403


def test_the_api_export_refuses_other_formats(coordinator):
    response = coordinator.get("/api/v1/contacts/export/", {"file_format": "ods"})

    assert response.status_code == 400 and "file_format" in response.json()


# The hand-written CSV writers -----------------------------------------------------------


def test_a_snapshot_csv_neutralises_formulas(coordinator, ask):
    make_signature(ask, name=FORMULA, organisation=True)
    coordinator.post(
        reverse("outreach:snapshot-create", args=[ask.pk]),
        {"as_of": "2099-01-01", "language": ask.language},
    )
    snapshot = DeliverySnapshot.objects.get()

    response = coordinator.get(f"/snapshots/{snapshot.pk}/", {"format": "csv"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == NEUTRALISED


def test_a_report_xlsx_download_neutralises_formulas(coordinator, ask):
    make_ask(title=FORMULA, opens_on=ask.opens_on)

    response = coordinator.get(reverse("outreach:report-download", args=["asks", "xlsx"]))

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    titles = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert NEUTRALISED in titles and FORMULA not in titles


# Query counts ---------------------------------------------------------------------------


def _export_queries(kind, model):
    with CaptureQueriesContext(connection) as queries:
        exporting.render(kind, model.objects.all(), "csv")
    return len(queries)


def _add_records(ask, n):
    tag = Tag.objects.create(name=f"tag {Tag.objects.count()}")
    for _ in range(n):
        organisation = make_organisation()
        organisation.tags.add(tag)
        contact = make_contact(email=f"c{Contact.objects.count()}@example.org")
        contact.tags.add(tag)
        Affiliation.objects.create(contact=contact, organisation=organisation, is_primary=True)
        make_outreach(ask, organisation=organisation, contact=contact)
        make_signature(ask)


@pytest.mark.parametrize("kind", ["contacts", "organisations", "outreach", "signatures"])
def test_the_number_of_export_queries_does_not_grow_with_rows(kind, ask):
    model = exporting.kinds()[kind].model
    _add_records(ask, 2)
    few = _export_queries(kind, model)
    _add_records(ask, 6)

    assert _export_queries(kind, model) == few
