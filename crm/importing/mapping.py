"""Which column holds what: header synonyms in English, French, German, Dutch and
Spanish, and the column names of the exports people bring (Action Network, CiviCRM,
Mailchimp, Google Forms, Typeform, Microsoft Forms, Salesforce, NGP VAN; see
docs/import.md)."""

import re
import unicodedata
from functools import lru_cache

# The fields each kind of import understands, in the order the mapping form shows them.
FIELDS = {
    "contacts": [
        ("email", "E-mail"),
        ("first_name", "First name"),
        ("last_name", "Last name"),
        ("full_name", "Full name (split into first and last)"),
        ("phone", "Phone"),
        ("country", "Country"),
        ("preferred_language", "Preferred language"),
        ("expertise", "Expertise"),
        ("notes", "Notes"),
        ("organisation", "Organisation"),
        ("organisation_acronym", "Organisation acronym"),
        ("organisation_website", "Organisation website"),
        ("role", "Role / job title"),
        ("since", "Affiliated since (date)"),
    ],
    "organisations": [
        ("name", "Name"),
        ("acronym", "Acronym"),
        ("kind", "Kind"),
        ("country", "Country"),
        ("city", "City"),
        ("website", "Website"),
        ("email", "General e-mail"),
        ("notes", "Notes"),
    ],
    "signatures": [
        # First, so that a list's "Name" or "Signatory" column is the signatory's name.
        ("signatory", "Signatory (the organisation or the person, by the row's type)"),
        ("signer_type", "Organisation or individual"),
        ("organisation", "Organisation"),
        ("organisation_acronym", "Organisation acronym"),
        ("organisation_website", "Organisation website"),
        ("email", "E-mail of the person signing"),
        ("first_name", "First name"),
        ("last_name", "Last name"),
        ("full_name", "Full name (split into first and last)"),
        ("role", "Role of the person signing"),
        ("display_name", "Name as published"),
        ("affiliation", "Affiliation of an individual (identification only)"),
        ("country", "Country"),
        ("signed_at", "Signed on (date)"),
        ("public", "Agrees to be listed publicly"),
    ],
    "invites": [
        ("organisation", "Organisation"),
        ("organisation_acronym", "Organisation acronym"),
        ("organisation_website", "Organisation website"),
        ("email", "E-mail of the person"),
        ("first_name", "First name"),
        ("last_name", "Last name"),
        ("full_name", "Full name (split into first and last)"),
        ("stage", "Stage (prospect or invited)"),
    ],
}

KINDS = list(FIELDS)

# Words an organisation's website and acronym go by, as a column of its own (organisations)
# or beside a person (contacts, signatures).
WEBSITE_WORDS = [
    "website",
    "web site",
    "url",
    "homepage",
    "site web",
    "site internet",
    "webseite",
    "internetseite",
    "sitio web",
    "pagina web",
    "web",
]
ACRONYM_WORDS = [
    "acronym",
    "abbreviation",
    "sigle",
    "acronyme",
    "abkürzung",
    "akronym",
    "afkorting",
    "acrónimo",
    "sigla",
    "siglas",
]

SYNONYMS = {
    "email": [
        "email",
        "e-mail",
        "e mail",
        "mail",
        "email address",
        "e-mail address",
        "email adresse",
        "emailadresse",
        "e-mail-adresse",
        "courriel",
        "adresse courriel",
        "adresse e-mail",
        "adresse email",
        "adresse mail",
        "mel",
        "correo",
        "correo electronico",
        "correo electrónico",
        "e-mailadres",
        "emailadres",
        "mailadres",
        "email_address",
        "primary email",
        "work email",
        "your email",
        "votre courriel",
        "votre email",
        "ihre e-mail-adresse",
        "uw e-mailadres",
        "tu correo",
    ],
    "first_name": [
        "first name",
        "firstname",
        "first_name",
        "given name",
        "forename",
        "prénom",
        "prenom",
        "vorname",
        "voornaam",
        "nombre",
        "nombre de pila",
        "fname",
        "first",
    ],
    "last_name": [
        "last name",
        "lastname",
        "last_name",
        "surname",
        "family name",
        "nom de famille",
        "nom",
        "nachname",
        "familienname",
        "achternaam",
        "apellido",
        "apellidos",
        "lname",
        "last",
    ],
    "full_name": [
        "name",
        "full name",
        "fullname",
        "display name",
        "contact name",
        "person",
        "naam",
        "nom complet",
        "vollständiger name",
        "nombre completo",
        "your name",
        "votre nom",
        "signatory",
        "signataire",
        "unterzeichner",
        "ondertekenaar",
        "firmante",
    ],
    "phone": [
        "phone",
        "phone number",
        "telephone",
        "telephone number",
        "tel",
        "mobile",
        "mobilephone",
        "cell phone",
        "pref phone",
        "can2_phone",
        "téléphone",
        "telephone",
        "portable",
        "telefon",
        "telefonnummer",
        "handy",
        "telefoon",
        "telefoonnummer",
        "mobiel",
        "teléfono",
        "telefono",
        "móvil",
        "movil",
    ],
    "country": [
        "country",
        "pays",
        "land",
        "país",
        "pais",
        "mailingcountry",
        "mailing country",
        "country code",
        "countrycode",
        "cc",
        "nationality",
    ],
    "preferred_language": [
        "language",
        "preferred language",
        "langue",
        "sprache",
        "taal",
        "idioma",
        "voorkeurstaal",
        "langue préférée",
        "bevorzugte sprache",
        "idioma preferido",
    ],
    "expertise": [
        "expertise",
        "expertise area",
        "fachgebiet",
        "expertisegebied",
        "especialidad",
        "domaine d'expertise",
    ],
    "notes": [
        "notes",
        "note",
        "note(s)",
        "comments",
        "comment",
        "remarks",
        "bemerkungen",
        "notizen",
        "opmerkingen",
        "notities",
        "remarques",
        "commentaires",
        "notas",
        "comentarios",
    ],
    "organisation": [
        "organisation",
        "organization",
        "org",
        "organisation name",
        "organization name",
        "org name",
        "company",
        "company name",
        "employer",
        "current employer",
        "account name",
        "organisme",
        "structure",
        "association",
        "entreprise",
        "nom de l'organisation",
        "organisatie",
        "naam organisatie",
        "bedrijf",
        "werkgever",
        "arbeitgeber",
        "firma",
        "verein",
        "unternehmen",
        "organización",
        "organizacion",
        "entidad",
        "empresa",
        "your organisation",
        "your organization",
        "votre organisation",
        "uw organisatie",
        "ihre organisation",
        "su organización",
        "signing organisation",
        "signing organization",
    ],
    "organisation_acronym": [*ACRONYM_WORDS, "organisation acronym", "organization acronym"],
    "organisation_website": [*WEBSITE_WORDS, "organisation website", "organization website"],
    "role": [
        "role",
        "job title",
        "title",
        "position",
        "function",
        "fonction",
        "poste",
        "funktion",
        "position im unternehmen",
        "rolle",
        "functie",
        "rol",
        "cargo",
        "puesto",
    ],
    "since": [
        "since",
        "member since",
        "start date",
        "started on",
        "depuis",
        "seit",
        "sinds",
        "desde",
        "date de début",
        "startdatum",
        "fecha de inicio",
    ],
    "name": [
        "name",
        "organisation",
        "organization",
        "organisation name",
        "organization name",
        "org",
        "org name",
        "account name",
        "nom",
        "nom de l'organisation",
        "organisme",
        "naam",
        "organisatie",
        "organisationsname",
        "nombre",
        "organización",
    ],
    "acronym": [*ACRONYM_WORDS, "short name"],
    "kind": [
        "kind",
        "type",
        "organisation type",
        "organization type",
        "category",
        "sector",
        "genre",
        "catégorie",
        "typ",
        "art",
        "soort",
        "categorie",
        "tipo",
        "categoría",
    ],
    "city": [
        "city",
        "town",
        "ville",
        "stadt",
        "ort",
        "stad",
        "plaats",
        "woonplaats",
        "ciudad",
        "localidad",
        "can2_user_city",
        "mailingcity",
        "mailing city",
    ],
    "website": WEBSITE_WORDS,
    "display_name": [
        "name as published",
        "display name",
        "published name",
        "public name",
        "nom affiché",
        "nom public",
        "anzeigename",
        "weergavenaam",
        "nombre público",
    ],
    "signed_at": [
        "signed",
        "signed on",
        "signed at",
        "date signed",
        "signature date",
        "date",
        "timestamp",
        "submit date (utc)",
        "submitted",
        "completion time",
        "start time",
        "created date",
        "horodatage",
        "date de signature",
        "zeitstempel",
        "datum",
        "unterschrieben am",
        "tijdstempel",
        "ondertekend op",
        "marca temporal",
        "fecha",
        "fecha de firma",
    ],
    "public": [
        "public",
        "publish",
        "list publicly",
        "public listing",
        "listed publicly",
        "may we publish your name",
        "consent",
        "publication",
        "public consent",
        "accepte d'être cité",
        "publier",
        "veröffentlichen",
        "öffentlich",
        "publiceren",
        "openbaar",
        "publicar",
        "público",
    ],
    "signatory": [
        "signatory",
        "signatories",
        "signatory name",
        "signed by",
        "name",
        "signataire",
        "signataires",
        "nom",
        "unterzeichner",
        "unterzeichnende",
        "unterzeichnet von",
        "ondertekenaar",
        "ondertekenaars",
        "naam",
        "firmante",
        "firmantes",
        "nombre",
    ],
    "signer_type": [
        "type",
        "signatory type",
        "signer type",
        "contact type",
        "type of signatory",
        "signing as",
        "organisation or individual",
        "organization or individual",
        "individual or organisation",
        "individual or organization",
        "type de signataire",
        "typ",
        "art",
        "soort",
        "soort ondertekenaar",
        "tipo",
        "tipo de firmante",
    ],
    "affiliation": [
        "affiliation",
        "affiliations",
        "institution",
        "affiliation (for identification only)",
        "organisation (for identification)",
        "organization (for identification)",
        "zugehörigkeit",
        "institution d'appartenance",
        "affiliatie",
        "afiliación",
        "afiliacion",
    ],
    "stage": ["stage", "status", "étape", "statut", "phase", "stufe", "fase", "estado"],
}

# Export layouts whose column names say what they hold only to that tool.
TOOL_COLUMNS = {
    "can2_user_address": "",
    "can2_state_abbreviated": "",
    "zip_code": "",
    "email address": "email",
    "emailaddress": "email",
    "mailingcountry": "country",
    "firstname": "first_name",
    "lastname": "last_name",
    "mobilephone": "phone",
    "display name": "full_name",
    "current employer": "organisation",
    "organization name": "organisation",
    "account name": "organisation",
    "contact name": "full_name",
}

# The same column name, read differently by one kind of import: in a list of signatures
# a CiviCRM "Display Name" is the name as published, not a name to split.
KIND_COLUMNS = {"signatures": {"display name": "display_name"}}


@lru_cache(maxsize=65536)
def header_key(text):
    """'  E-Mail Adresse ' -> 'e mail adresse': case, accents and punctuation aside."""
    text = unicodedata.normalize("NFKD", str(text)).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"<[^>]+>", " ", text)  # Typeform headers may hold HTML
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return text.strip()


def _index(kind):
    index = {header_key(column): field for column, field in KIND_COLUMNS.get(kind, {}).items()}
    for field, _label in FIELDS[kind]:
        for synonym in SYNONYMS.get(field, []):
            index.setdefault(header_key(synonym), field)
    for column, field in TOOL_COLUMNS.items():
        if field in dict(FIELDS[kind]):
            index.setdefault(header_key(column), field)
    return index


_INDEXES = {kind: _index(kind) for kind in KINDS}
_ALL_KEYS = {key for index in _INDEXES.values() for key in index}


def header_score(names):
    """How many of these cells are known column names (to find the header row)."""
    return sum(1 for name in names if header_key(name) in _ALL_KEYS)


# Columns that win over an earlier column naming the same field: in a CiviCRM export a
# person's organisation is "Current Employer" ("Organization Name" is for organisations).
PREFERRED = {header_key(name) for name in ("Current Employer",)}


# "Organisation / Name", "Name or organisation": one column for either kind of signatory.
_EITHER = re.compile(r"\s*(?:/|\bor\b|\bou\b|\boder\b|\bof\b|\bo\b)\s*", re.IGNORECASE)
_EITHER_PARTS = {"organisation", "full_name", "signatory"}


def _either_signatory(header, index):
    parts = [header_key(part) for part in _EITHER.split(str(header)) if part.strip()]
    fields = {index.get(part, "") for part in parts}
    return len(parts) == 2 and len(fields) == 2 and fields <= _EITHER_PARTS


def _key(header, index):
    if "signatory" in index.values() and _either_signatory(header, index):
        return header_key("signatory")
    return header_key(header)


def guess_mapping(headers, kind):
    """A list as long as `headers`: the field each column fills, or '' to ignore it.
    A field is filled by one column only: a preferred one, else the first naming it."""
    index = _INDEXES[kind]
    keys = [_key(h, index) for h in headers]
    mapping = ["" for _ in headers]
    taken = set()
    for preferred_pass in (True, False):
        for position, key in enumerate(keys):
            if (key in PREFERRED) != preferred_pass:
                continue
            field = index.get(key, "")
            if field and field not in taken:
                taken.add(field)
                mapping[position] = field
    return mapping


def mapping_from_saved(headers, saved, kind):
    """Apply a saved {header: field} mapping; columns it does not name are guessed."""
    guessed = guess_mapping(headers, kind)
    by_key = {header_key(h): f for h, f in saved.items()}
    fields = dict(FIELDS[kind])
    result = []
    for header, guess in zip(headers, guessed, strict=True):
        field = by_key.get(header_key(header), guess)
        result.append(field if field in fields else "")
    return result


def header_set(headers):
    """The columns of a file as a set, named as header_key() reads them."""
    return frozenset(key for key in map(header_key, headers) if key)


def match_saved(headers, saved_mappings):
    """Of `saved_mappings` (most recent first): the first saved for exactly this file's
    columns, in any order, or None; and those that share at least half of them, to offer
    rather than apply."""
    columns = header_set(headers)
    exact, partial = None, []
    if not columns:
        return exact, partial
    for saved in saved_mappings:
        theirs = header_set(saved.columns)
        if theirs == columns:
            exact = exact or saved
        elif len(theirs & columns) * 2 >= len(columns):
            partial.append(saved)
    return exact, partial
