import pytest

from crm.importing.reading import FileUnreadable
from crm.models import Affiliation, Contact, ImportRecord, Organisation
from tests.crm.importing.helpers import csv_bytes, do_import, xlsx_bytes
from tests.factories import make_contact, make_organisation

pytestmark = pytest.mark.django_db

HEADER = ["First name", "Last name", "E-mail", "Organisation", "Country"]


def test_it_imports_contacts_with_their_organisation_and_affiliation(staff):
    data = csv_bytes(
        [
            HEADER,
            ["Ana", "López", "ana@example.org", "European Digital Rights (EDRi)", "Belgium"],
            ["Ben", "Ng", "ben@example.org", "EDRi", "DE"],
        ]
    )

    outcome = do_import("contacts", data, user=staff)

    assert outcome.committed
    assert outcome.counts["new"] == 2
    assert outcome.counts["organisations_new"] == 1
    edri = Organisation.objects.get()
    assert (edri.name, edri.acronym) == ("European Digital Rights", "EDRi")
    ana = Contact.objects.get(email="ana@example.org")
    assert ana.country.code == "BE"
    created = ana.history.get()
    assert (created.history_type, created.history_user, created.email) == (
        "+",
        staff,
        "ana@example.org",
    )
    assert (created.country.code, created.last_name) == ("BE", "López")
    assert edri.history.get().history_user == staff
    assert Affiliation.history.filter(history_user=staff).count() == 2
    assert Affiliation.objects.filter(organisation=edri, is_primary=True).count() == 2


@pytest.mark.parametrize(
    "encoding,bom", [("utf-8", False), ("utf-8", True), ("cp1252", False), ("latin-1", False)]
)
def test_it_reads_utf8_bom_and_windows_1252_without_mojibake(encoding, bom):
    data = csv_bytes(
        [
            HEADER,
            [
                "Zoë",
                "Müller-Śe" if encoding == "utf-8" else "Müller",
                "zoe@example.org",
                "Liga für Grundrechte",
                "Österreich",
            ],
        ],
        encoding=encoding,
        bom=bom,
    )

    do_import("contacts", data)

    zoe = Contact.objects.get()
    assert zoe.first_name == "Zoë"
    assert zoe.last_name.startswith("Müller")
    assert zoe.country.code == "AT"
    assert Organisation.objects.get().name == "Liga für Grundrechte"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_it_sniffs_the_delimiter_and_keeps_quoted_line_breaks(delimiter):
    data = csv_bytes(
        [
            ["E-mail", "Vorname", "Notes"],
            ["a@example.org", "Ana", "first line\nsecond line; with, separators"],
            ["b@example.org", "Ben", ""],
        ],
        delimiter=delimiter,
    )

    outcome = do_import("contacts", data)

    assert outcome.counts["new"] == 2
    assert Contact.objects.get(email="a@example.org").notes == (
        "first line\nsecond line; with, separators"
    )


def test_it_finds_the_header_below_title_rows_and_skips_blank_rows():
    data = csv_bytes(
        [
            ["Partners of the coalition"],
            ["exported 2023-09-05"],
            [],
            ["Email address", "First name"],
            ["a@example.org", "Ana"],
            [],
            ["", ""],
            ["b@example.org", "Ben"],
        ]
    )

    outcome = do_import("contacts", data)

    assert outcome.committed
    assert (outcome.counts["rows"], outcome.counts["blank"], outcome.counts["new"]) == (2, 2, 2)


def test_a_row_with_more_or_fewer_cells_than_the_header_is_invalid():
    data = b"E-mail,First name\na@example.org,Ana,extra\nb@example.org\nc@example.org,Cy\n"

    outcome = do_import("contacts", data)

    assert not outcome.committed
    assert [(e.row, e.reason) for e in outcome.errors] == [
        (2, "This row has 3 cells; the header has 2."),
        (3, "This row has 1 cells; the header has 2."),
    ]
    assert Contact.objects.count() == 0


def test_it_reads_the_chosen_sheet_of_a_workbook_with_title_rows_and_merged_cells():
    data = xlsx_bytes(
        [["Other"]],
        sheet="Notes",
        extra_sheets=[
            (
                "Partners",
                [
                    ["Our partners", None, None],
                    ["Courriel", "Prénom", "Organisation"],
                    ["a@example.org", "Ana", "Liga"],
                    ["b@example.org", "Ben", None],
                ],
            )
        ],
    )
    import io

    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data))
    workbook["Partners"].merge_cells("C3:C4")
    buffer = io.BytesIO()
    workbook.save(buffer)

    outcome = do_import("contacts", buffer.getvalue(), file_name="p.xlsx", sheet="Partners")

    assert outcome.counts["new"] == 2
    liga = Organisation.objects.get(name="Liga")
    assert set(liga.contacts.values_list("first_name", flat=True)) == {"Ana", "Ben"}


def test_a_missing_sheet_is_named():
    data = xlsx_bytes([["E-mail"], ["a@example.org"]], sheet="Data")

    with pytest.raises(FileUnreadable, match="no sheet named “People”"):
        do_import("contacts", data, file_name="p.xlsx", sheet="People")


@pytest.mark.parametrize(
    "spelling",
    ["ANA@Example.org", " ana@example.org\u00a0", "\u200bana@example.org"],
)
def test_duplicates_differing_by_case_or_spaces_are_one_contact(spelling):
    data = csv_bytes(
        [
            ["E-mail", "First name", "Last name"],
            ["ana@example.org", "Ana", ""],
            [spelling, "", "López"],
        ]
    )

    outcome = do_import("contacts", data)

    assert (outcome.counts["new"], outcome.counts["merged"]) == (1, 1)
    ana = Contact.objects.get()
    assert (ana.email, ana.first_name, ana.last_name) == ("ana@example.org", "Ana", "López")


def test_names_in_nfd_are_stored_nfc_and_match_the_nfc_spelling():
    nfd = "Jose\u0301"
    data = csv_bytes(
        [["E-mail", "First name"], ["jose@exa\u0301mple.org", nfd], ["jose@exámple.org", ""]]
    )

    outcome = do_import("contacts", data)

    assert outcome.counts["merged"] == 1
    assert Contact.objects.get().first_name == "José"


@pytest.mark.parametrize(
    "email,reason",
    [
        ("not-an-email", "“not-an-email” is not a valid e-mail address."),
        ("", "A contact needs an e-mail address."),
        ("a" * 250 + "@example.org", "The e-mail address is longer than 254 characters."),
    ],
)
def test_an_invalid_email_makes_the_row_invalid_with_the_reason(email, reason):
    data = csv_bytes([["E-mail", "First name"], ["ok@example.org", "Ok"], [email, "Bad"]])

    outcome = do_import("contacts", data)

    assert not outcome.committed
    assert [e.as_dict() for e in outcome.errors] == [
        {"row": 3, "column": "E-mail", "value": email[:200], "reason": reason}
    ]
    assert Contact.objects.count() == 0


def test_an_overlong_name_is_invalid_not_truncated():
    data = csv_bytes([["E-mail", "First name"], ["a@example.org", "A" * 101]])

    outcome = do_import("contacts", data)

    assert outcome.errors[0].reason == "101 characters; at most 100 fit (nothing is cut off)."
    assert Contact.objects.count() == 0


def test_cells_that_look_like_formulas_are_stored_as_typed():
    data = csv_bytes(
        [
            ["E-mail", "First name", "Last name", "Notes"],
            ["a@example.org", '=HYPERLINK("http://x")', "+32 trick", "@SUM(A1:A2)"],
        ]
    )
    xlsx = xlsx_bytes([["E-mail", "First name"], ["b@example.org", "=1+1"]])

    do_import("contacts", data)
    do_import("contacts", xlsx, file_name="f.xlsx")

    a = Contact.objects.get(email="a@example.org")
    assert (a.first_name, a.last_name, a.notes) == (
        '=HYPERLINK("http://x")',
        "+32 trick",
        "@SUM(A1:A2)",
    )
    assert Contact.objects.get(email="b@example.org").first_name == "=1+1"


def test_phones_become_e164_in_the_persons_country():
    data = csv_bytes(
        [
            ["E-mail", "Phone", "Country"],
            ["a@example.org", "02 123 45 67", "BE"],
            ["b@example.org", "+49 30 1234567", ""],
        ]
    )

    do_import("contacts", data)

    assert str(Contact.objects.get(email="a@example.org").phone) == "+3221234567"
    assert str(Contact.objects.get(email="b@example.org").phone) == "+49301234567"


def test_an_invalid_last_row_commits_nothing():
    rows = [["E-mail", "Organisation"]] + [[f"p{i}@example.org", f"Org {i % 3}"] for i in range(50)]
    rows.append(["broken", "Org 9"])

    outcome = do_import("contacts", csv_bytes(rows))

    assert not outcome.committed
    assert outcome.counts["invalid"] == 1
    assert Contact.objects.count() == Organisation.objects.count() == 0
    assert ImportRecord.objects.get().status == ImportRecord.Status.REFUSED


def test_skip_invalid_imports_the_valid_rows_and_reports_only_what_was_stored():
    data = csv_bytes([["E-mail"], ["a@example.org"], ["broken"], ["b@example.org"]])

    outcome = do_import("contacts", data, skip_invalid=True)

    assert outcome.committed
    assert (outcome.counts["new"], outcome.counts["invalid"]) == (2, 1)
    assert Contact.objects.count() == 2


def test_the_preview_writes_nothing():
    make_organisation(name="Liga")
    data = csv_bytes(
        [
            HEADER,
            ["Ana", "L", "ana@example.org", "Liga", "BE"],
            ["Ben", "N", "ben@example.org", "New org", "DE"],
        ]
    )
    tables = [Contact, Organisation, Affiliation, Contact.history.model, Organisation.history.model]
    before = [model.objects.count() for model in tables]

    outcome = do_import("contacts", data, commit=False)

    assert (outcome.counts["new"], outcome.counts["organisations_new"]) == (2, 1)
    assert outcome.counts["organisations_matched"] == 1
    assert [model.objects.count() for model in tables] == before


def test_a_blank_cell_never_erases_existing_data():
    make_contact(first_name="Ana", last_name="López", email="ana@example.org", expertise="AI")
    data = csv_bytes(
        [["E-mail", "First name", "Last name", "Expertise"], ["ana@example.org", "", "", ""]]
    )

    for policy in ("fill", "overwrite"):
        outcome = do_import("contacts", data, policy=policy)
        assert outcome.counts["unchanged"] == 1

    ana = Contact.objects.get()
    assert (ana.first_name, ana.last_name, ana.expertise) == ("Ana", "López", "AI")


def test_policies_fill_overwrite_and_skip():
    Contact.objects.create(first_name="Ana", email="ana@example.org")
    data = csv_bytes([["E-mail", "First name", "Last name"], ["ana@example.org", "Anna", "L"]])

    assert do_import("contacts", data, policy="skip").counts["skipped"] == 1
    assert Contact.objects.get().last_name == ""
    assert do_import("contacts", data, policy="fill").counts["updated"] == 1
    assert (Contact.objects.get().first_name, Contact.objects.get().last_name) == ("Ana", "L")
    assert do_import("contacts", data, policy="overwrite").counts["updated"] == 1
    assert Contact.objects.get().first_name == "Anna"


def test_organisations_match_by_name_acronym_or_website_domain():
    edri = make_organisation(name="European Digital Rights", acronym="EDRi")
    liga = make_organisation(name="Liga", website="https://www.liga.eu/about")
    data = csv_bytes(
        [
            ["E-mail", "Organisation", "Website"],
            ["a@example.org", "European Digital Rights (EDRi)", ""],
            ["b@example.org", "edri", ""],
            ["c@example.org", "EUROPEAN DIGITAL RIGHTS", ""],
            ["d@example.org", "Liga für Grundrechte", "http://liga.eu"],
        ]
    )

    outcome = do_import("contacts", data)

    assert outcome.counts["organisations_new"] == 0
    assert outcome.counts["organisations_matched"] == 2
    assert edri.affiliations.count() == 3
    assert liga.affiliations.count() == 1


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    data = csv_bytes(
        [
            [
                "E-mail",
                "First name",
                "Last name",
                "Phone",
                "Country",
                "Language",
                "Expertise",
                "Organisation",
                "Website",
                "Role",
                "Since",
            ],
            [
                "ana@example.org",
                "Ana",
                "López",
                "02 123 45 67",
                "Belgique",
                "fr",
                "AI",
                "European Digital Rights (EDRi)",
                "https://edri.org",
                "Policy",
                "2023-09-05",
            ],
        ]
    )
    assert do_import("contacts", data).counts["new"] == 1

    for policy in ("fill", "overwrite"):
        again = do_import("contacts", data, policy=policy)
        assert again.counts["unchanged"] == 1, (policy, again.counts)
        assert again.counts["organisations_matched"] == 1
    assert Affiliation.objects.count() == 1
