"""Reading a person's language as people write it: the one parser behind the contact
field, the import, the forms and the API.

Any ISO 639 language, whichever languages the staff pages or the public pages have: a
code (`pt`, `por`, `fre`), a BCP 47 tag or a locale (`pt-BR`, `en_GB`, `fr-CA`,
`zh-Hant-TW`, `de_DE.UTF-8`) or a name (`Portuguese`, `portugais`, `Português (Brasil)`).
What is stored is the BCP 47 tag: the shortest ISO 639 code, then the script and the
region when given (`pt-BR`); e-mails fall back from it to its language (`pt`)."""

import gettext
import re
import unicodedata
from functools import cache, lru_cache

import pycountry
from django.conf.locale import LANG_INFO
from django.utils import translation

from crm.countries import NAME_LANGUAGES, country_key, parse_country

MAX_LENGTH = 35  # BCP 47 (RFC 5646 §4.4.1): every tag of this shape fits
LANGUAGE_UNKNOWN = "“{value}” is not a language we know (an ISO 639 code such as pt, or pt-BR)."

# Codes ISO 639 withdrew that files still carry.
_RETIRED = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro", "sh": "sr"}
_TAG = re.compile(
    r"(?P<language>[a-z]{2,3})"
    r"(?:-(?P<script>[a-z]{4}))?"
    r"(?:-(?P<region>[a-z]{2}|\d{3}))?"
    r"(?:-[a-z0-9]{1,8})*",
    re.IGNORECASE,
)


def _key(text):
    return country_key(text)


def _shortest(language):
    """The BCP 47 code of an ISO 639 language object: its 639-1 code if it has one."""
    return getattr(language, "alpha_2", None) or language.alpha_3


@cache
def _codes():
    codes = {}
    for language in pycountry.languages:
        code = _shortest(language)
        for attribute in ("alpha_2", "alpha_3", "bibliographic"):
            value = getattr(language, attribute, None)
            if value:
                codes.setdefault(value.lower(), code)
    for old, new in _RETIRED.items():
        codes[old] = new
    return codes


def _translations(language):
    try:
        return gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return gettext.NullTranslations()


@cache
def _names():
    """Language names in English and in the interface languages, and each language's
    own name as Django knows it ('Français', '日本語')."""
    names = {}
    individual = [lang for lang in pycountry.languages if getattr(lang, "alpha_2", None)]
    for language in NAME_LANGUAGES:
        iso = _translations(language)
        for lang in individual:
            names.setdefault(_key(iso.gettext(lang.name)), _shortest(lang))
    for lang in pycountry.languages:
        names.setdefault(_key(lang.name), _shortest(lang))
    for code, info in LANG_INFO.items():
        if "fallback" in info or "-" in code:
            continue
        for attribute in ("name", "name_local"):
            if info.get(attribute):
                names.setdefault(_key(info[attribute]), code)
    return names


def _from_tag(text):
    match = _TAG.fullmatch(text.replace("_", "-"))
    if not match:
        return None
    language = _codes().get(match["language"].lower())
    if language is None:
        return None
    parts = [language]
    if match["script"]:
        parts.append(match["script"].title())
    region = match["region"]
    if region:
        region = region.upper()
        if not region.isdigit() and parse_country(region) != region:
            return None
        parts.append(region)
    return "-".join(parts)


def _from_name(text):
    """'Portuguese', 'portugais', 'Português (Brasil)', 'English (UK)'."""
    name, region = text, ""
    if text.endswith(")") and "(" in text:
        name, _, region = text[:-1].partition("(")
    language = _names().get(_key(name))
    if language is None:
        return None
    if region.strip():
        code = parse_country(region)
        if not code:
            return None
        return f"{language}-{code}"
    return language


@lru_cache(maxsize=65536)  # the same few values come back row after row
def parse_language(value):
    """The BCP 47 tag of a language as written; '' for a blank; None when it is not a
    language we know."""
    text = "" if value is None else unicodedata.normalize("NFC", str(value)).strip()
    if not text:
        return ""
    # Locale forms: 'de_DE.UTF-8', 'ca_ES@valencia'.
    text = re.split(r"[.@]", text, maxsplit=1)[0].strip()
    tag = _from_tag(text) or _from_name(text)
    if tag is None or len(tag) > MAX_LENGTH:
        return None
    return tag


def base_language(tag):
    """'pt-BR' -> 'pt'."""
    return (tag or "").split("-")[0]


def language_name(tag, *, language=None):
    """'pt-BR' -> 'Portuguese (Brazil)', in the page's language (or `language`)."""
    if not tag:
        return ""
    code, _, rest = tag.partition("-")
    entry = pycountry.languages.get(alpha_2=code) if len(code) == 2 else None
    entry = entry or pycountry.languages.get(alpha_3=code)
    if entry is None:
        return tag
    language = language or translation.get_language() or "en"
    name = _translations(base_language(language)).gettext(entry.name)
    region = next((part for part in rest.split("-") if len(part) in (2, 3) and part), "")
    if region and not region.isdigit():
        from django_countries import countries

        with translation.override(language):
            region_name = countries.name(region)
        if region_name:
            return f"{name} ({region_name})"
    return name
