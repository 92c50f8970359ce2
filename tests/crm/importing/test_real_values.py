"""Files as people really bring them: a row is refused only when it cannot be a record;
a phone, country, language or date the import cannot read is stored as well as it can be
and flagged (issue 17, items 1-3). All names and addresses are fictional."""

import random

import pytest
from rest_framework.test import APIClient

from crm.countries import parse_country
from crm.forms import ContactForm
from crm.importing.normalise import COUNTRY_LEFT_OUT, PHONE_KEPT
from crm.languages import language_name, parse_language
from crm.models import Contact, Organisation
from tests.crm.importing.helpers import csv_bytes, do_import
from tests.crm.importing.test_mapping import CIVICRM
from tests.factories import make_user

pytestmark = pytest.mark.django_db

# The 83 columns of a CiviCRM "Export PRIMARY fields" (shared/IMPORT-FORMATS.md §2).
CIVICRM_HEADER = CIVICRM


def _civicrm_row(**values):
    row = dict.fromkeys(CIVICRM_HEADER, "")
    row.update({"Contact Type": "Individual", "Preferred Mail Format": "Both"})
    row.update(values)
    return [row[column] for column in CIVICRM_HEADER]


def test_a_civicrm_export_with_en_gb_and_local_phones_stores_every_row_with_warnings():
    assert len(CIVICRM_HEADER) == 83
    people = [
        # (first, last, e-mail, language, phone, country, employer)
        ("Alys", "Pryce", "alys@cymru.example", "en_GB", "029 2018 0000", "United Kingdom", ""),
        ("Brann", "Okafor", "brann@example.org", "en_GB", "0470 12 34 56", "Belgium", "Liga"),
        ("Carmo", "Vaz", "carmo@example.org", "pt_BR", "(11) 3333-4444", "Brazil", "Liga"),
        ("Dita", "Horak", "dita@example.org", "cs_CZ", "555", "", ""),
        ("Émile", "Roux", "emile@example.org", "fr_CA", "514-555-0199 ext 3", "Canada", ""),
        ("Fen", "Li", "fen@example.org", "zh_TW", "02 2345 6789", "Atlantis", ""),
    ]
    rows = [CIVICRM_HEADER]
    for number, (first, last, email, language, phone, country, employer) in enumerate(people):
        rows.append(
            _civicrm_row(
                **{
                    "Contact ID": str(100 + number),
                    "Sort Name": f"{last}, {first}",
                    "Display Name": f"{first} {last}",
                    "First Name": first,
                    "Last Name": last,
                    "Preferred Language": language,
                    "Phone": phone,
                    "Country": country,
                    "Email": email,
                    "Current Employer": employer,
                    "Created Date": "2023-09-26 10:04:11",
                }
            )
        )

    outcome = do_import("contacts", csv_bytes(rows))

    assert outcome.committed, outcome.errors
    assert (outcome.counts["new"], outcome.counts["invalid"]) == (6, 0)
    assert Contact.objects.count() == 6
    stored = {c.email: c for c in Contact.objects.all()}
    assert stored["alys@cymru.example"].preferred_language == "en-GB"
    assert stored["carmo@example.org"].preferred_language == "pt-BR"
    assert stored["fen@example.org"].preferred_language == "zh-TW"
    # Read in the person's country when it has no prefix.
    assert str(stored["alys@cymru.example"].phone) == "+442920180000"
    assert str(stored["brann@example.org"].phone) == "+32470123456"
    # Kept as written, and flagged.
    assert str(stored["dita@example.org"].phone) == "555"
    reasons = {(w["row"], w["reason"]) for w in outcome.warnings}
    assert (5, PHONE_KEPT.format(value="555", region="none")) in reasons
    # An unknown country: empty, the text kept in the notes, flagged.
    fen = stored["fen@example.org"]
    assert fen.country == ""
    assert "Atlantis" in fen.notes
    assert (7, COUNTRY_LEFT_OUT.format(value="Atlantis")) in reasons
    assert Organisation.objects.get().name == "Liga"


LANGUAGES_30 = [
    "en",
    "pt",
    "it",
    "pl",
    "tr",
    "zh",
    "cs",
    "vi",
    "nl",
    "fr",
    "de",
    "es",
    "ja",
    "ar",
    "hi",
    "bn",
    "ru",
    "uk",
    "ro",
    "hu",
    "el",
    "sv",
    "fi",
    "da",
    "no",
    "ko",
    "th",
    "id",
    "sw",
    "he",
]
COUNTRY_NAMES = [
    "United States",
    "Democratic Republic of Congo",
    "DR Congo",
    "Cape Verde",
    "Swaziland",
    "Burma",
    "Kosovo",
    "The Gambia",
    "Britain",
    "The Philippines",
    "International",
    "Brasil",
    "Deutschland",
    "日本",
]


def test_a_global_file_with_thirty_languages_stores_every_row_that_has_a_valid_email():
    rng = random.Random(17)
    rows = [["Email", "First name", "Language", "Country"]]
    expected = 0
    for number in range(600):
        language = rng.choice(LANGUAGES_30)
        if number % 3 == 0:
            language = f"{language}_{rng.choice(['GB', 'BR', 'CA', 'MX', 'TW'])}"
        email = f"person{number}@example.org" if number % 50 else f"person{number}@"
        expected += bool(number % 50)
        rows.append([email, f"Person {number}", language, rng.choice(COUNTRY_NAMES)])

    outcome = do_import("contacts", csv_bytes(rows), skip_invalid=True)

    assert outcome.committed
    assert Contact.objects.count() == outcome.counts["new"] == expected
    assert outcome.counts["invalid"] == 600 - expected
    assert {e.reason for e in outcome.errors} == {"“person0@” is not a valid e-mail address."} | {
        f"“person{n}@” is not a valid e-mail address." for n in range(50, 600, 50)
    }
    # Every language and country was read: no warning at all, "International" included.
    assert outcome.warnings == []
    assert Contact.objects.filter(preferred_language="").count() == 0


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("United States", "US"),
        ("USA", "US"),
        ("Democratic Republic of Congo", "CD"),
        ("Democratic Republic of the Congo", "CD"),
        ("DR Congo", "CD"),
        ("Congo, The Democratic Republic of the", "CD"),
        ("Cape Verde", "CV"),
        ("Cabo Verde", "CV"),
        ("Swaziland", "SZ"),
        ("Eswatini", "SZ"),
        ("Burma", "MM"),
        ("Kosovo", "XK"),
        ("The Gambia", "GM"),
        ("Britain", "GB"),
        ("The Philippines", "PH"),
        ("Côte d’Ivoire", "CI"),
        ("cote d'ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("Korea, Republic of", "KR"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("Czechia", "CZ"),
        ("Viet Nam", "VN"),
        ("Vereinigte Staaten", "US"),
        ("États-Unis", "US"),
        ("Verenigde Staten", "US"),
        ("Estados Unidos", "US"),
        ("アメリカ合衆国", "US"),
        ("ドイツ", "DE"),
        ("Pays-Bas", "NL"),
        ("BEL", "BE"),
        ("be", "BE"),
        ("  BELGIË ", "BE"),
    ],
)
def test_countries_are_read_from_codes_names_aliases_and_six_languages(written, code):
    assert parse_country(written) == code


@pytest.mark.parametrize("written", ["International", "Global", "worldwide", "Weltweit"])
def test_international_means_no_country_without_a_warning(written):
    assert parse_country(written) == ""
    outcome = do_import(
        "contacts", csv_bytes([["E-mail", "Country"], ["ana@example.org", written]])
    )
    assert outcome.committed
    assert outcome.warnings == []
    assert Contact.objects.get().country == ""


@pytest.mark.parametrize(
    ("written", "tag"),
    [
        ("en_GB", "en-GB"),
        ("pt-BR", "pt-BR"),
        ("fr-CA", "fr-CA"),
        ("pt", "pt"),
        ("zh", "zh"),
        ("zh-Hant-TW", "zh-Hant-TW"),
        ("de_DE.UTF-8", "de-DE"),
        ("por", "pt"),
        ("fre", "fr"),
        ("Portuguese", "pt"),
        ("portugais", "pt"),
        ("Português (Brasil)", "pt-BR"),
        ("English (UK)", "en-GB"),
        ("日本語", "ja"),
        ("Kiswahili", "sw"),
        ("es-419", "es-419"),
    ],
)
def test_any_iso_639_language_is_read_to_its_bcp47_tag(written, tag):
    assert parse_language(written) == tag


@pytest.mark.parametrize("written", ["xx", "en-XX", "Elvish", "qqq"])
def test_a_text_that_is_no_language_is_left_empty_with_a_warning(written):
    assert parse_language(written) is None
    outcome = do_import(
        "contacts", csv_bytes([["E-mail", "Language"], ["ana@example.org", written]])
    )
    assert outcome.committed
    assert [w["reason"] for w in outcome.warnings] == [
        f"“{written}” is not a language we know: left empty."
    ]
    assert Contact.objects.get().preferred_language == ""


def test_a_language_is_named_in_the_language_of_the_page():
    assert language_name("pt-BR", language="en") == "Portuguese (Brazil)"
    assert language_name("pt-BR", language="fr") == "Portugais (Brésil)"


def test_the_contact_form_reads_languages_with_the_same_parser():
    form = ContactForm(
        data={"first_name": "Carmo", "preferred_language": "pt_BR", "confirm_new": "on"}
    )
    assert form.is_valid(), form.errors
    assert form.save().preferred_language == "pt-BR"

    refused = ContactForm(data={"first_name": "Carmo", "preferred_language": "Elvish"})
    assert not refused.is_valid()
    assert "not a language we know" in str(refused.errors["preferred_language"])


def test_the_api_reads_languages_and_countries_with_the_same_parsers():
    from accounts.services import api_token_create

    _, token = api_token_create(user=make_user(role="coordinator"), name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = client.post(
        "/api/v1/contacts/",
        {"first_name": "Ama", "preferred_language": "Portuguese (Brazil)", "country": "DR Congo"},
        format="json",
    )

    assert response.status_code == 201, response.content
    contact = Contact.objects.get()
    assert (contact.preferred_language, contact.country.code) == ("pt-BR", "CD")
    refused = client.post(
        "/api/v1/contacts/", {"first_name": "Bo", "preferred_language": "xx"}, format="json"
    )
    assert refused.status_code == 400


def test_an_email_to_a_contact_in_fr_ca_falls_back_to_the_french_message():
    from types import SimpleNamespace

    from outreach.emails import pick_template

    contact = SimpleNamespace(preferred_language="fr-CA")
    ask = SimpleNamespace(language="en")

    assert pick_template({"en": "english", "fr": "french"}, contact, ask) == "french"
    assert pick_template({"en": "english"}, contact, ask) == "english"
