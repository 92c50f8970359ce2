"""Importing a signatory list as a statement page publishes it: organisations and
individuals mixed, names without e-mails, a type column in any of the header languages,
and — when the user says so — the list already published elsewhere (issue 17, 4-8)."""

import datetime
import random

import pytest
from django.urls import reverse

from crm.importing.undo import IN_PIPELINE, SIGNATURE_KEPT, import_undo, undo_plan
from crm.models import Affiliation, Contact, ImportRecord, Organisation
from outreach.importing import (
    INDIVIDUAL_ON_ORGANISATIONS_ASK,
    SAME_NAME_AT_ANOTHER_ORGANISATION,
    SAME_NAME_SEVERAL,
)
from outreach.models import Activity, Ask, Outreach, Signature, Stage
from tests.crm.importing.helpers import command, csv_bytes, do_import, xlsx_bytes
from tests.factories import make_ask, make_contact, make_organisation, make_outreach

pytestmark = pytest.mark.django_db

ORGANISATION_WORDS = ["Organisation", "Org", "NGO", "Organization", "organisation (CSO)"]
INDIVIDUAL_WORDS = ["Individual", "Person", "Expert", "individual", "Academic"]
COUNTRIES = ["Germany", "United States", "DR Congo", "Cape Verde", "The Gambia", "International"]


def published_list(organisations=31, individuals=65, *, seed=17):
    """A list shaped like a statement page: signatory, type, affiliation, country; no
    e-mails. The names are made up."""
    rng = random.Random(seed)
    rows = [["Signatory", "Type", "Affiliation", "Country"]]
    for number in range(organisations):
        rows.append(
            [
                f"Digital Rights Group {number}",
                rng.choice(ORGANISATION_WORDS),
                "",
                rng.choice(COUNTRIES),
            ]
        )
    for number in range(individuals):
        rows.append(
            [
                f"Person{number} Example{number}",
                rng.choice(INDIVIDUAL_WORDS),
                rng.choice(["", f"University {number % 7}"]),
                rng.choice(COUNTRIES),
            ]
        )
    return rows


def snapshot():
    """Every record an import can touch, by model: to compare before and after undo."""
    models = (Organisation, Contact, Affiliation, Signature, Activity, Outreach)
    return {model.__name__: set(model.objects.values_list("pk", flat=True)) for model in models}


def test_a_mixed_list_of_31_organisations_and_65_individuals_without_emails_is_96_signatures():
    ask = make_ask(signers=Ask.Signers.BOTH)

    outcome = do_import("signatures", csv_bytes(published_list()), ask=ask)

    assert outcome.committed, outcome.errors
    assert outcome.counts["new"] == 96
    signatures = Signature.objects.live().filter(ask=ask)
    assert signatures.count() == 96
    assert signatures.exclude(organisation=None).count() == 31
    individuals = signatures.filter(organisation=None)
    assert individuals.count() == 65
    assert not individuals.filter(contact__email__isnull=False).exists()
    person = individuals.get(contact__last_name="Example3")
    assert person.contact.first_name == "Person3"
    assert person.display_name == "Person3 Example3"
    assert Organisation.objects.filter(name__startswith="Person").count() == 0
    # Nobody is listed without the signatory's consent or a published source.
    assert not signatures.filter(public=True).exists()


def test_an_affiliation_is_kept_for_identification_and_creates_no_organisation():
    ask = make_ask()
    rows = [["Name", "Type", "Affiliation"], ["Ana Exemplo", "Expert", "University of Nowhere"]]

    do_import("signatures", csv_bytes(rows), ask=ask)

    signature = Signature.objects.get()
    assert signature.organisation is None
    assert signature.affiliation_text == "University of Nowhere"
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    ("header", "organisation_word", "individual_word"),
    [
        ("Type", "Organisation", "Individual"),
        ("Typ", "Organisation", "Einzelperson"),
        ("Soort", "Organisatie", "Persoon"),
        ("Tipo", "Organización", "Persona"),
        ("Type de signataire", "Organisme", "Personne"),
    ],
)
def test_the_type_column_is_read_in_the_five_header_languages(
    header, organisation_word, individual_word
):
    ask = make_ask()
    rows = [["Name", header], ["Liga Digital", organisation_word], ["Ana Exemplo", individual_word]]

    outcome = do_import("signatures", csv_bytes(rows), ask=ask)

    assert outcome.committed, outcome.errors
    assert Signature.objects.get(organisation__name="Liga Digital")
    assert Signature.objects.get(organisation=None).contact.last_name == "Exemplo"


def test_an_unknown_type_is_read_from_the_rest_of_the_row_with_a_warning():
    ask = make_ask()
    rows = [["Signatory", "Organisation", "Type"], ["Ana Exemplo", "Liga", "Partner"]]

    outcome = do_import("signatures", csv_bytes(rows), ask=ask)

    assert outcome.committed, outcome.errors
    assert Signature.objects.get().organisation.name == "Liga"
    assert any("Partner" in w["reason"] and w["row"] == 2 for w in outcome.warnings)


@pytest.mark.parametrize(("signers", "organisations"), [("organisations", 2), ("individuals", 0)])
def test_without_a_type_column_the_user_says_which_rows_are_which(signers, organisations):
    ask = make_ask()
    rows = [["Signatory", "Country"], ["Liga Digital", "France"], ["Ana Exemplo", "Spain"]]

    outcome = do_import("signatures", csv_bytes(rows), ask=ask, signers=signers)

    assert outcome.committed, outcome.errors
    assert Signature.objects.exclude(organisation=None).count() == organisations
    assert Signature.objects.count() == 2


def test_an_individual_on_an_ask_signed_by_organisations_is_refused_by_name():
    ask = make_ask(signers=Ask.Signers.ORGANISATIONS)
    rows = [["Name", "Type"], ["Liga", "NGO"], ["Ana Exemplo", "Individual"]]

    outcome = do_import("signatures", csv_bytes(rows), ask=ask)

    assert not outcome.committed
    assert [(e.row, e.reason) for e in outcome.errors] == [(3, INDIVIDUAL_ON_ORGANISATIONS_ASK)]
    assert not Signature.objects.exists() and not Organisation.objects.exists()


def test_a_named_individual_is_an_existing_contact_only_when_unambiguous():
    ask = make_ask()
    known = make_contact(first_name="Ana", last_name="Exemplo", email="ana@example.org")
    make_contact(first_name="Ben", last_name="Twice", email="ben1@example.org")
    make_contact(first_name="Ben", last_name="Twice", email="ben2@example.org")
    elsewhere = make_contact(first_name="Cy", last_name="Other", email="cy@example.org")
    Affiliation.objects.create(contact=elsewhere, organisation=make_organisation(name="Liga"))
    rows = [
        ["Name", "Type", "Affiliation"],
        ["Ana Exemplo", "Individual", ""],
        ["Ben Twice", "Individual", ""],
        ["Cy Other", "Individual", "Another Institute"],
    ]

    outcome = do_import("signatures", csv_bytes(rows), ask=ask)

    assert outcome.committed, outcome.errors
    assert Signature.objects.get(contact__last_name="Exemplo").contact == known
    assert Contact.objects.filter(last_name="Twice").count() == 3
    assert Contact.objects.filter(last_name="Other").count() == 2
    reasons = {w["row"]: w["reason"] for w in outcome.warnings}
    assert reasons[3] == SAME_NAME_SEVERAL.format(count=2, name="Ben Twice")
    assert reasons[4] == SAME_NAME_AT_ANOTHER_ORGANISATION.format(name="Cy Other")


def test_a_list_declared_published_is_listed_with_its_source_and_the_organisations_details():
    ask = make_ask()
    rows = [
        ["Organisation / Name", "Type", "Website", "Country"],
        ["Liga Digital", "Organisation", "liga.example", "Democratic Republic of Congo"],
        ["Ana Exemplo", "Individual", "", "Burma"],
    ]
    url = "https://statement.example/signatories"

    outcome = do_import("signatures", csv_bytes(rows), ask=ask, published_url=url)

    assert outcome.committed, outcome.errors
    assert set(Signature.objects.values_list("public", "public_source")) == {(True, url)}
    liga = Organisation.objects.get(name="Liga Digital")
    assert (str(liga.country), liga.website) == ("CD", "https://liga.example")
    assert str(Signature.objects.get(organisation=None).country) == "MM"


def test_an_organisation_with_no_email_has_no_email_domain_hint(client, staff):
    ask = make_ask()
    rows = [["Organisation", "Website"], ["Liga Digital", "liga.example"]]
    do_import("signatures", csv_bytes(rows), ask=ask)
    client.force_login(staff)

    page = client.get(reverse("outreach:signature-list", args=[ask.pk]))

    assert page.status_code == 200
    assert "e-mail domain does not match" not in page.content.decode()
    assert "e-mail domain matches" not in page.content.decode()


def test_an_xlsx_list_reads_dates_as_days_and_the_type_column(client, staff):
    ask = make_ask()
    data = xlsx_bytes(
        [
            ["Signatory", "Type", "Date"],
            ["Liga Digital", "Organisation", datetime.date(2023, 9, 26)],
            ["Ana Exemplo", "Individual", datetime.date(2023, 9, 27)],
        ]
    )

    outcome = do_import("signatures", data, ask=ask, file_name="list.xlsx")

    assert outcome.committed, outcome.errors
    liga = Signature.objects.get(organisation__name="Liga Digital")
    assert liga.signed_at.date() == datetime.date(2023, 9, 26)
    assert Signature.objects.get(organisation=None).contact.first_name == "Ana"


def test_the_mapping_page_shows_a_workbook_date_as_a_day_and_maps_signatory(client, staff):
    ask = make_ask()
    data = xlsx_bytes([["Signatory", "Type", "Date"], ["Liga", "Org", datetime.date(2023, 9, 26)]])
    client.force_login(staff)
    upload = client.post(
        reverse("imports:upload"),
        {"kind": "signatures", "ask": ask.pk, "file": _file("list.xlsx", data)},
    )
    record = ImportRecord.objects.get()
    assert upload.status_code == 302
    assert record.mapping == ["signatory", "signer_type", "signed_at"]

    page = client.get(reverse("imports:mapping", args=[record.pk])).content.decode()

    assert "2023-09-26" in page
    assert "midnight" not in page


def test_a_forged_published_address_is_refused_on_the_mapping_page(client, staff):
    ask = make_ask()
    client.force_login(staff)
    client.post(
        reverse("imports:upload"),
        {"kind": "signatures", "ask": ask.pk, "file": _file("l.csv", b"Name\r\nLiga\r\n")},
    )
    record = ImportRecord.objects.get()

    response = client.post(
        reverse("imports:mapping", args=[record.pk]),
        {
            "column_0": "signatory",
            "policy": "fill",
            "dates": "day",
            "signers": "organisations",
            "published_url": "javascript:alert(1)",
        },
    )

    assert response.status_code == 200
    assert "published_url" in response.context["form"].errors
    record.refresh_from_db()
    assert "published_url" not in record.options


def test_the_command_takes_which_rows_are_which_and_the_published_address(tmp_path):
    make_ask(slug="stop-frt")
    data = csv_bytes([["Signatory"], ["Liga Digital"], ["Datenwerk"]])
    url = "https://statement.example/list"

    code, result = command(
        tmp_path,
        "signatures",
        data,
        "--ask",
        "stop-frt",
        "--signers",
        "organisations",
        "--published-url",
        url,
    )

    assert code == 0 and result["committed"], result
    assert Signature.objects.filter(public=True, public_source=url).count() == 2
    code, result = command(
        tmp_path, "signatures", data, "--ask", "stop-frt", "--published-url", "ftp:/x"
    )
    assert code == 2 and "not a web address" in result["error"]


def test_undo_of_a_published_list_leaves_the_database_as_it_was():
    ask = make_ask()
    existing = make_organisation(name="Digital Rights Group 3", country="")
    before = snapshot()
    do_import(
        "signatures",
        csv_bytes(published_list()),
        ask=ask,
        published_url="https://statement.example/list",
    )
    record = ImportRecord.objects.get()
    assert snapshot() != before

    plan = import_undo(record=record)

    assert plan.counts["kept"] == 0, plan.kept
    assert plan.counts["withdraw"] == 0
    assert snapshot() == before
    existing.refresh_from_db()
    assert existing.country == ""  # the country it was given is taken back


def test_undo_withdraws_a_signature_that_moved_the_pipeline_and_keeps_its_organisation():
    ask = make_ask()
    make_outreach(ask=ask, organisation=make_organisation(name="Liga"), stage=Stage.INVITED)
    do_import("signatures", csv_bytes([["Organisation"], ["Liga"], ["New Group"]]), ask=ask)
    record = ImportRecord.objects.get()

    plan = undo_plan(record)

    assert [(s.display_name, reason) for s, reason in plan.withdraw] == [("Liga", IN_PIPELINE)]
    import_undo(record=record)
    assert Signature.objects.get().status == Signature.Status.WITHDRAWN
    assert Outreach.objects.get().stage == Stage.WITHDRAWN
    assert not Organisation.objects.filter(name="New Group").exists()


def test_undo_keeps_an_organisation_whose_signature_stays_and_says_why():
    ask = make_ask()
    do_import("signatures", csv_bytes([["Organisation"], ["New Group"]]), ask=ask)
    record = ImportRecord.objects.get()
    signature = Signature.objects.get()
    # Staff edit the signature after the import: it is withdrawn, not removed.
    Signature.objects.filter(pk=signature.pk).update(
        role="Director", updated_at=record.committed_at + datetime.timedelta(minutes=1)
    )

    plan = undo_plan(record)

    assert [label for label, _o, _r in plan.kept] == ["crm.organisation"]
    assert plan.kept[0][2] == SIGNATURE_KEPT


def _file(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_a_published_list_does_not_list_a_signature_made_on_the_public_form():
    ask = make_ask()
    liga = make_organisation(name="Liga")
    signature = Signature.objects.create(
        ask=ask, organisation=liga, display_name="Liga", source=Signature.Source.PUBLIC_FORM
    )

    outcome = do_import(
        "signatures",
        csv_bytes([["Organisation"], ["Liga"]]),
        ask=ask,
        published_url="https://statement.example/list",
    )

    assert outcome.committed, outcome.errors
    signature.refresh_from_db()
    assert (signature.public, signature.public_source, signature.source) == (
        False,
        "",
        Signature.Source.PUBLIC_FORM,
    )
