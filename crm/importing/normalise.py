"""Cleaning one cell. Each cleaner returns the value to store, or raises Invalid with
the reason shown to the user; dates never raise (a bad date is a warning)."""

import datetime
import re

import phonenumbers
from dateutil import parser as dateparser
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from crm.countries import parse_country
from crm.importing.mapping import header_key
from crm.languages import parse_language
from crm.text import normalise_email, normalise_name

EMAIL_MISSING = "A contact needs an e-mail address."
EMAIL_INVALID = "“{value}” is not a valid e-mail address."
EMAIL_TOO_LONG = "The e-mail address is longer than {limit} characters."
TOO_LONG = "{length} characters; at most {limit} fit (nothing is cut off)."
COUNTRY_UNKNOWN = "“{value}” is not a country code or a country name we know."
PHONE_INVALID = (
    "“{value}” is not a phone number (for one without a country prefix, {region} is assumed)."
)
PHONE_KEPT = (
    "“{value}” is not a phone number we can read (without a country prefix, {region} is "
    "assumed): kept as written."
)
COUNTRY_LEFT_OUT = (
    "“{value}” is not a country we know: the country is left empty and the text kept in the notes."
)
LANGUAGE_LEFT_OUT = "“{value}” is not a language we know: left empty."
COUNTRY_NOTE = "Country as written in the imported file: {value}"
DATE_UNREADABLE = "“{value}” is not a date; left empty."
CHOICE_UNKNOWN = "“{value}” is not one of: {choices}."
YES_NO_UNKNOWN = "“{value}” is neither yes nor no."


class Invalid(Exception):
    """This cell makes the row invalid; the message says why."""


# Exports neutralise cells a spreadsheet would run by prefixing a quote ('=1+1); an
# import takes the quote off again, so export -> import gives back what was stored.
_NEUTRALISED = ("'=", "'+", "'-", "'@", "'\t", "'\r")


def text(value):
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()  # a workbook's date cell: a day, not a midnight
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None:
        return ""
    value = str(value)
    if value.startswith(_NEUTRALISED):
        return value[1:]
    return value


def clean_email(value, *, required=True, limit=254):
    email = normalise_email(text(value))
    if not email:
        if required:
            raise Invalid(EMAIL_MISSING)
        return ""
    if len(email) > limit:
        raise Invalid(EMAIL_TOO_LONG.format(limit=limit))
    try:
        validate_email(email)
    except ValidationError as error:
        raise Invalid(EMAIL_INVALID.format(value=text(value).strip())) from error
    return email


def clean_name(value, *, limit):
    """NFC, whitespace collapsed; too long is invalid, never truncated. A name that
    starts with '=' stays as typed: it is data."""
    name = normalise_name(text(value))
    if len(name) > limit:
        raise Invalid(TOO_LONG.format(length=len(name), limit=limit))
    return name


def clean_text(value, *, limit=None):
    result = text(value).strip()
    if limit is not None and len(result) > limit:
        raise Invalid(TOO_LONG.format(length=len(result), limit=limit))
    return result


def split_full_name(value):
    """'Ana María López' -> ('Ana', 'María López'); one word is a first name."""
    name = normalise_name(text(value))
    first, _, last = name.partition(" ")
    return first, last


def split_acronym(name):
    """'European Digital Rights (EDRi)' -> ('European Digital Rights', 'EDRi')."""
    match = re.fullmatch(r"(.+?)\s*\(([^()]{1,40})\)", name)
    if match:
        return match.group(1).strip(), match.group(2).strip()
    return name, ""


def clean_country(value):
    """The country code, or Invalid for a text that is no country (crm.countries)."""
    code, warning = read_country(value)
    if warning:
        raise Invalid(COUNTRY_UNKNOWN.format(value=text(value).strip()))
    return code


def read_country(value):
    """(code, warning): an unknown country is left empty with a warning, never a reason
    to refuse the row; "International" is no country, without a warning."""
    raw = text(value).strip()
    code = parse_country(raw)
    if code is None:
        return "", COUNTRY_LEFT_OUT.format(value=raw)
    return code, ""


def read_language(value):
    """(BCP 47 tag, warning): any ISO 639 language (crm.languages); an unknown one is
    left empty with a warning."""
    raw = text(value).strip()
    tag = parse_language(raw)
    if tag is None:
        return "", LANGUAGE_LEFT_OUT.format(value=raw)
    return tag, ""


def default_region():
    return getattr(settings, "IMPORT_PHONE_REGION", None) or settings.PHONENUMBER_DEFAULT_REGION


def read_phone(value, *, region=None, limit=128):
    """(phone, warning): E.164 when it can be read, else kept as written with a warning.
    Too long for the column is still Invalid: it would be cut off."""
    raw = text(value).strip()
    try:
        return clean_phone(raw, region=region), ""
    except Invalid:
        if len(raw) > limit:
            raise Invalid(TOO_LONG.format(length=len(raw), limit=limit)) from None
        return raw, PHONE_KEPT.format(value=raw, region=region or default_region() or "none")


def clean_phone(value, *, region=None):
    raw = text(value).strip()
    if not raw:
        return ""
    region = region or default_region()
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        raise Invalid(PHONE_INVALID.format(value=raw, region=region or "none")) from error
    if not phonenumbers.is_possible_number(number):
        raise Invalid(PHONE_INVALID.format(value=raw, region=region or "none"))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_ISO_DATE = re.compile(r"\s*\d{4}-\d{1,2}-\d{1,2}([ T].*)?\s*$")
_NUMERIC_DATE = re.compile(r"\s*(\d{1,2})[./-](\d{1,2})[./-](\d{2,4})\b")


def parse_date(value, *, day_first):
    """Returns (datetime.date or datetime.datetime or None, warning or '').

    ISO dates (2023-09-05) are read year-month-day whatever `day_first` says; date
    cells of a workbook are dates already."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value, ""
    raw = text(value).strip()
    if not raw:
        return None, ""
    quick = _quick_date(raw, day_first)
    if quick is not None:
        return quick
    try:
        if _ISO_DATE.match(raw):
            parsed = (
                dateparser.isoparse(raw)
                if "T" in raw
                else dateparser.parse(raw, yearfirst=True, dayfirst=False)
            )
        else:
            parsed = dateparser.parse(raw, dayfirst=bool(day_first), yearfirst=False)
    except (ValueError, OverflowError):
        return None, DATE_UNREADABLE.format(value=raw)
    return parsed, ""


_PLAIN_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})$")
_PLAIN_NUMERIC = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")


def _quick_date(raw, day_first):
    """The two shapes most files use, without dateutil's general parser (which reads
    the rest): 2023-09-05, and 05/09/2023 (05.09.2023, 05-09-2023)."""
    match = _PLAIN_ISO.match(raw)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _PLAIN_NUMERIC.match(raw)
        if not match:
            return None
        first, second, year = (int(g) for g in match.groups())
        day, month = (first, second) if day_first else (second, first)
    try:
        return datetime.date(year, month, day), ""
    except ValueError:
        return None, DATE_UNREADABLE.format(value=raw)


def propose_day_first(values):
    """True when some date in the file can only be day-first (25/12/2023), False when
    some can only be month-first (12/25/2023), None when the file does not say (or
    says both)."""
    day_first = month_first = False
    for match in _numeric_dates(values):
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12 >= second:
            day_first = True
        elif second > 12 >= first:
            month_first = True
        if day_first and month_first:
            return None
    if day_first != month_first:
        return day_first
    return None


def _numeric_dates(values):
    for value in values:
        match = _NUMERIC_DATE.match(value) if isinstance(value, str) else None
        if match:
            yield match


def has_numeric_dates(values):
    """Whether any date is written as numbers only (05/09/2023), which may be read
    either way; ISO dates (2023-09-05) and dates with a month name are not."""
    return any(True for _ in _numeric_dates(values))


_YES = {"yes", "y", "true", "1", "x", "oui", "ja", "si", "sí", "agreed", "ok"}
_NO = {"no", "n", "false", "0", "non", "nein", "nee", "", "-"}


def clean_yes_no(value):
    raw = text(value).strip().casefold()
    if raw in _YES or raw.startswith(("yes", "oui", "ja ", "si ", "sí ")):
        return True
    if raw in _NO or raw.startswith(("no ", "non ", "nein", "nee ")):
        return False
    raise Invalid(YES_NO_UNKNOWN.format(value=text(value).strip()))


def clean_choice(value, choices):
    """Match a value against TextChoices by value or label, any case."""
    raw = text(value).strip()
    if not raw:
        return ""
    key = header_key(raw)
    for choice_value, label in choices:
        if key in (header_key(choice_value), header_key(label)):
            return choice_value
    raise Invalid(
        CHOICE_UNKNOWN.format(value=raw, choices=", ".join(str(lbl) for _, lbl in choices))
    )


ORGANISATION, INDIVIDUAL = "organisation", "individual"
SIGNER_TYPE_UNKNOWN = (
    "“{value}” says neither organisation nor individual: read as {kind} (from the rest of "
    "the row). Choose a type column or say which rows are which on the mapping page."
)
# The words a published list's type column uses, in the five header languages.
_SIGNER_TYPE_WORDS = {
    ORGANISATION: {
        "organisation",
        "organisations",
        "organization",
        "organizations",
        "org",
        "orgs",
        "organisational",
        "organizational",
        "group",
        "groups",
        "ngo",
        "ngos",
        "cso",
        "csos",
        "civil society organisation",
        "civil society organization",
        "association",
        "network",
        "coalition",
        "union",
        "trade union",
        "company",
        "business",
        "foundation",
        "institution",
        "institutional",
        "organisme",
        "ong",
        "collectif",
        "organisatie",
        "organisaties",
        "vereniging",
        "stichting",
        "verein",
        "verband",
        "organización",
        "organizacion",
        "organizaciones",
        "entidad",
        "colectivo",
    },
    INDIVIDUAL: {
        "individual",
        "individuals",
        "person",
        "persons",
        "people",
        "private person",
        "expert",
        "experts",
        "academic",
        "academics",
        "researcher",
        "researchers",
        "personal capacity",
        "in a personal capacity",
        "individual expert",
        "citizen",
        "individu",
        "individuelle",
        "personne",
        "personnes",
        "particulier",
        "experte",
        "chercheur",
        "chercheuse",
        "einzelperson",
        "privatperson",
        "personen",
        "persoon",
        "individuo",
        "persona",
        "personas",
        "experto",
        "experta",
        "investigador",
        "investigadora",
    },
}


_SIGNER_TYPE_KEYS = {
    kind: {header_key(word) for word in words} for kind, words in _SIGNER_TYPE_WORDS.items()
}


def read_signer_type(value):
    """'organisation', 'individual', '' for an empty cell, or None for a word that says
    neither (the caller decides from the rest of the row, with a warning)."""
    key = header_key(text(value))
    if not key:
        return ""
    for kind, keys in _SIGNER_TYPE_KEYS.items():
        if key in keys or key.split()[0] in keys:
            return kind
    return None
