"""Reading a country as people write it: the one parser behind the import, the forms and
the API.

ISO 3166 codes (alpha-2, alpha-3), the English short, official and common names and their
translations in the six interface languages come from data packages (pycountry's ISO
3166 tables and translations, django-countries' names); only what no data package holds
is listed here: colloquial names ("DR Congo", "Britain") and former names whose code
changed ("Burma"). Matching is case-, accent- and punctuation-insensitive, and leaves
"the" aside ("The Gambia", "Congo, The Democratic Republic of the")."""

import gettext
import unicodedata
from functools import cache, lru_cache

import pycountry
from django.utils import translation
from django_countries import countries

# The interface languages: names in them are read whatever the language of the page.
NAME_LANGUAGES = ("en", "nl", "fr", "de", "es", "ja")

# A coalition that works everywhere has no country; this is not a mistake to report.
NO_COUNTRY = {
    "international",
    "internacional",
    "internationaal",
    "global",
    "globaal",
    "worldwide",
    "world wide",
    "world",
    "mondial",
    "monde",
    "weltweit",
    "wereldwijd",
    "mundial",
    "mundo",
    "国際",
    "世界",
    "グローバル",
}

# Names in use that no data package holds, and former names whose code changed.
ALIASES = {
    "dr congo": "CD",
    "drc": "CD",
    "rdc": "CD",
    "rd congo": "CD",
    "congo kinshasa": "CD",
    "zaire": "CD",
    "congo brazzaville": "CG",
    "britain": "GB",
    "great britain": "GB",
    "uk": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "us": "US",
    "u s a": "US",
    "america": "US",
    "united states of america": "US",
    "holland": "NL",
    "nederland": "NL",
    "deutschland": "DE",
    "espana": "ES",
    "belgie": "BE",
    "schweiz": "CH",
    "suisse": "CH",
    "svizzera": "CH",
    "osterreich": "AT",
    "burma": "MM",
    "cape verde": "CV",
    "ivory coast": "CI",
    "east timor": "TL",
    "swaziland": "SZ",
    "kosovo": "XK",
    "korea": "KR",
    "russia": "RU",
    "vatican": "VA",
    "palestine": "PS",
    "macedonia": "MK",
    "czech republic": "CZ",
    "turkey": "TR",
    "dahomey": "BJ",
    "upper volta": "BF",
}

_STOP_WORDS = {"the"}


def country_key(text):
    """'  Côte d’Ivoire ' -> 'cote d ivoire', in every script; 'the' left aside."""
    text = unicodedata.normalize("NFKD", str(text)).casefold().replace("&", " and ")
    kept = (
        c if unicodedata.category(c)[0] in "LN" else " "
        for c in text
        if not unicodedata.combining(c)
    )
    words = "".join(kept).split()
    return " ".join(w for w in words if w not in _STOP_WORDS)


def _spellings(name):
    """A name and the forms it is also written in: 'Korea, Republic of' is 'Republic of
    Korea'; 'Myanmar (Burma)' is 'Myanmar' and 'Burma'."""
    name = str(name)
    yield name
    if "(" in name and name.endswith(")"):
        outside, _, inside = name[:-1].partition("(")
        yield outside
        yield inside
        yield f"{inside} {outside}"
    if ", " in name:
        before, _, after = name.partition(", ")
        yield f"{after} {before}"


def _translations(language):
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return gettext.NullTranslations()


@cache
def _index():
    index = {}

    def add(name, code):
        for spelling in _spellings(name):
            key = country_key(spelling)
            if key:
                index.setdefault(key, code)

    known = set(countries.countries)  # what the country fields accept
    for code in known:
        add(code, code)
        alpha3 = countries.alpha3(code)
        if alpha3:
            add(alpha3, code)
    for language in NAME_LANGUAGES:
        iso = _translations(language)
        for country in pycountry.countries:
            if country.alpha_2 not in known:
                continue
            for attribute in ("common_name", "name", "official_name"):
                name = getattr(country, attribute, None)
                if name:
                    add(iso.gettext(name), country.alpha_2)
        with translation.override(language):
            for code, name in countries:
                add(name, code)
            for code, names in countries.OLD_NAMES.items():
                for name in names:
                    add(name, code)
            for code, name in countries.COMMON_NAMES.items():
                add(name, code)
    for name, code in ALIASES.items():
        if code in known:
            index[country_key(name)] = code
    return index


def is_no_country(text):
    return country_key(text) in _NO_COUNTRY_KEYS


_NO_COUNTRY_KEYS = {country_key(name) for name in NO_COUNTRY}


@lru_cache(maxsize=65536)  # the same few values come back row after row
def parse_country(text):
    """The ISO 3166 alpha-2 code of a country as written; '' for a blank or for
    "International" (no country); None when it is not a country we know."""
    text = "" if text is None else str(text).strip()
    if not text:
        return ""
    key = country_key(text)
    if key in _NO_COUNTRY_KEYS:
        return ""
    return _index().get(key)
