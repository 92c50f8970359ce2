import pytest

from crm.importing.mapping import guess_mapping, mapping_from_saved

CIVICRM = [
    "Contact ID",
    "Contact Type",
    "Contact Subtype",
    "Do Not Email",
    "Do Not Phone",
    "Do Not Mail",
    "Do Not Sms",
    "Do Not Trade",
    "No Bulk Emails (User Opt Out)",
    "Legal Identifier",
    "External Identifier",
    "Sort Name",
    "Display Name",
    "Nickname",
    "Legal Name",
    "Image Url",
    "Preferred Communication Method",
    "Preferred Language",
    "Preferred Mail Format",
    "Contact Hash",
    "Contact Source",
    "First Name",
    "Middle Name",
    "Last Name",
    "Individual Prefix",
    "Individual Suffix",
    "Formal Title",
    "Communication Style",
    "Email Greeting ID",
    "Postal Greeting ID",
    "Addressee ID",
    "Job Title",
    "Gender",
    "Birth Date",
    "Deceased",
    "Deceased Date",
    "Household Name",
    "Organization Name",
    "Sic Code",
    "Unique ID (OpenID)",
    "Current Employer ID",
    "Contact is in Trash",
    "Created Date",
    "Modified Date",
    "Addressee",
    "Email Greeting",
    "Postal Greeting",
    "Current Employer",
    "Location Type",
    "Street Address",
    "Street Number",
    "Street Number Suffix",
    "Street Name",
    "Street Unit",
    "Supplemental Address 1",
    "Supplemental Address 2",
    "Supplemental Address 3",
    "City",
    "Postal Code Suffix",
    "Postal Code",
    "Latitude",
    "Longitude",
    "Address Name",
    "Master Address Belongs To",
    "County",
    "State",
    "Country",
    "Phone",
    "Phone Extension",
    "Phone Type",
    "Email",
    "On Hold",
    "Use for Bulk Mail",
    "Signature Text",
    "Signature Html",
    "IM Provider",
    "IM Screen Name",
    "OpenID",
    "World Region",
    "Website",
    "Group(s)",
    "Tag(s)",
    "Note(s)",
]


def _mapped(headers, kind="contacts"):
    return {h: f for h, f in zip(headers, guess_mapping(headers, kind), strict=True) if f}


@pytest.mark.parametrize(
    "headers,expected",
    [
        (
            [
                "Email Address",
                "First Name",
                "Last Name",
                "Phone Number",
                "Country",
                "MEMBER_RATING",
                "OPTIN_TIME",
                "CC",
                "NOTES",
                "TAGS",
            ],
            {
                "Email Address": "email",
                "First Name": "first_name",
                "Last Name": "last_name",
                "Phone Number": "phone",
                "Country": "country",
                "NOTES": "notes",
            },
        ),
        (
            [
                "uuid",
                "first_name",
                "last_name",
                "email",
                "Phone Number",
                "can2_user_address",
                "can2_user_city",
                "can2_user_state",
                "zip_code",
                "Organization",
            ],
            {
                "first_name": "first_name",
                "last_name": "last_name",
                "email": "email",
                "Phone Number": "phone",
                "Organization": "organisation",
            },
        ),
        (
            ["Timestamp", "Email address", "Your name", "Your organisation"],
            {
                "Email address": "email",
                "Your name": "full_name",
                "Your organisation": "organisation",
            },
        ),
        (
            ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"],
            {"Email": "email", "Name": "full_name"},
        ),
        (
            [
                "Id",
                "AccountId",
                "FirstName",
                "LastName",
                "Email",
                "Phone",
                "MobilePhone",
                "Title",
                "MailingCountry",
            ],
            {
                "FirstName": "first_name",
                "LastName": "last_name",
                "Email": "email",
                "Phone": "phone",
                "Title": "role",
                "MailingCountry": "country",
            },
        ),
        (
            ["Prénom", "Nom", "Courriel", "Organisme", "Pays", "Téléphone"],
            {
                "Prénom": "first_name",
                "Nom": "last_name",
                "Courriel": "email",
                "Organisme": "organisation",
                "Pays": "country",
                "Téléphone": "phone",
            },
        ),
        (
            ["Vorname", "Nachname", "E-Mail-Adresse", "Organisation", "Land"],
            {
                "Vorname": "first_name",
                "Nachname": "last_name",
                "E-Mail-Adresse": "email",
                "Organisation": "organisation",
                "Land": "country",
            },
        ),
        (
            ["Voornaam", "Achternaam", "E-mailadres", "Organisatie", "Land"],
            {
                "Voornaam": "first_name",
                "Achternaam": "last_name",
                "E-mailadres": "email",
                "Organisatie": "organisation",
                "Land": "country",
            },
        ),
        (
            ["Nombre", "Apellidos", "Correo electrónico", "Organización", "País"],
            {
                "Nombre": "first_name",
                "Apellidos": "last_name",
                "Correo electrónico": "email",
                "Organización": "organisation",
                "País": "country",
            },
        ),
    ],
    ids=[
        "mailchimp",
        "action-network",
        "google-forms",
        "ms-forms",
        "salesforce",
        "fr",
        "de",
        "nl",
        "es",
    ],
)
def test_columns_are_recognised_from_languages_and_tools(headers, expected):
    assert _mapped(headers) == expected


def test_a_civicrm_export_maps_the_persons_employer_not_the_organisation_name():
    mapped = _mapped(CIVICRM)

    assert mapped["Current Employer"] == "organisation"
    assert "Organization Name" not in mapped
    assert {mapped["First Name"], mapped["Email"], mapped["Job Title"], mapped["Country"]} == {
        "first_name",
        "email",
        "role",
        "country",
    }


def test_a_civicrm_export_read_as_signatures_names_the_type_and_the_published_name():
    signatures, contacts = _mapped(CIVICRM, "signatures"), _mapped(CIVICRM)

    assert signatures["Contact Type"] == "signer_type"
    assert signatures["Display Name"] == "display_name"
    assert contacts["Display Name"] == "full_name"  # a person's name, for contacts


def test_a_saved_mapping_is_applied_by_header_and_the_rest_is_guessed():
    headers = ["Mail", "Q3: which group are you with?", "Vorname"]
    saved = {"Q3: which group are you with?": "organisation", "Mail": "email"}

    assert mapping_from_saved(headers, saved, "contacts") == ["email", "organisation", "first_name"]
