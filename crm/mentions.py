"""Finding one person in text written about others: their exact e-mail addresses and
phone numbers, which name nobody else (erasure removes them wherever they appear), and
their name, which may be part of someone else's ("Erasmus University", another Zoë):
erasure only points to the text that holds it (crm.privacy.subject_erase).

E-mails are compared after crm.text.normalise_email, so a copy written in another
Unicode form or case is still theirs; phones by their digits, however grouped."""

import json
import re
import unicodedata
from dataclasses import dataclass
from html import unescape
from urllib.parse import unquote

import phonenumbers

from crm.text import normalise_email, normalise_name

ERASED = "[erased]"

# An address as written in free text, a URL's query ("%40") or a full-width "＠".
_EMAIL = re.compile(
    r"(?P<local>[^\s@＠<>()\[\]{},;:\"'`/\\|=&?]+)(?P<at>@|＠|%40)"
    r"(?P<domain>[^\s@＠<>()\[\]{},;:\"'`/\\|=&?#%]+)"
)
# A run of digits with the separators people put in phone numbers.
_PHONE = re.compile(r"(?<!\d)\+?\d[\d \u00a0().\-/]{5,24}\d(?!\d)")
_NOT_DIGIT = re.compile(r"\D")
# Free text containing a long run of one of the person's numbers is about them.
_MIN_PHONE_DIGITS = 8


def fold(value):
    """NFC and case-folded: how names are compared (an NFD "Zoë" is the same Zoë)."""
    return normalise_name(value).casefold()


def _phone_forms(value):
    """The digit strings one number is written as: +32 470…, 0032 470…, 0470…, 470…"""
    try:
        number = phonenumbers.parse(str(value), None)
    except phonenumbers.NumberParseException:
        digits = _NOT_DIGIT.sub("", str(value))
        return {digits} if len(digits) >= _MIN_PHONE_DIGITS else set()
    international = f"{number.country_code}{number.national_number}"
    national = str(number.national_number)
    return {international, f"00{international}", f"0{national}", national}


def _ascii_runs(value):
    return re.findall(r"[\x20-\x7e]+", value)


def _db_spellings(value):
    """Substrings a database search looks for (a wide net, checked again in Python): the
    longest ASCII run when it is long enough (the same in any Unicode form and case on
    both databases, and in JSON as SQLite stores it), else the value in NFC and NFD,
    as is and as escaped in JSON text."""
    runs = sorted((run.strip() for run in _ascii_runs(value)), key=len, reverse=True)
    if runs and len(runs[0]) >= 3:
        return {runs[0]}
    spellings = set()
    for form in ("NFC", "NFD"):
        text = unicodedata.normalize(form, value)
        spellings |= {text, json.dumps(text)[1:-1]}
    return spellings


@dataclass(frozen=True)
class Identifiers:
    emails: frozenset = frozenset()  # normalised
    phones: frozenset = frozenset()  # digit strings
    names: frozenset = frozenset()  # folded

    @classmethod
    def of(cls, *, emails=(), phones=(), names=()):
        phone_forms = set()
        for phone in phones:
            if phone:
                phone_forms |= _phone_forms(phone)
        return cls(
            emails=frozenset(normalise_email(e) for e in emails if e and "@" in str(e)),
            phones=frozenset(p for p in phone_forms if len(p) >= 6),
            names=frozenset(fold(n) for n in names if n and len(fold(n)) >= 3),
        )

    # --- e-mails and phones: unambiguous -------------------------------------------------

    def _email_hit(self, match):
        local, domain = match["local"], match["domain"].rstrip(".")
        if match["at"] == "%40":
            local, domain = unquote(local), unquote(domain)
        return normalise_email(f"{local}@{domain}") in self.emails

    def _phone_hit(self, match):
        digits = _NOT_DIGIT.sub("", match.group())
        if digits in self.phones:
            return True
        return any(len(p) >= _MIN_PHONE_DIGITS and p in digits for p in self.phones)

    def holds_contact_details(self, text):
        """Whether `text` holds one of the person's e-mail addresses or phone numbers."""
        if not isinstance(text, str) or not (self.emails or self.phones):
            return False
        text = unescape(text)  # as an XML or HTML file writes "&amp;"
        if self.emails and any(self._email_hit(m) for m in _EMAIL.finditer(text)):
            return True
        return bool(self.phones) and any(self._phone_hit(m) for m in _PHONE.finditer(text))

    def remove_contact_details(self, text):
        """`text` with each of the person's addresses and numbers replaced by [erased];
        the words around them (someone else's writing) are left as they are."""
        if not isinstance(text, str):
            return text

        def email(match):
            if not self._email_hit(match):
                return match.group()
            trailing = match["domain"][len(match["domain"].rstrip(".")) :]
            return (ERASED if match["at"] != "%40" else "%5Berased%5D") + trailing

        text = unicodedata.normalize("NFC", text) if self.holds_contact_details(text) else text
        text = _EMAIL.sub(email, text) if self.emails else text
        if self.phones:
            text = _PHONE.sub(lambda m: ERASED if self._phone_hit(m) else m.group(), text)
        return text

    # --- names: ambiguous ----------------------------------------------------------------

    def _name_pattern(self):
        if not self.names:
            return None
        names = sorted(self.names, key=len, reverse=True)
        return re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(n) for n in names)})(?!\w)")

    def mentions_name(self, value):
        """Whether `value` (text, or JSON holding text) names the person, in any Unicode
        form or case, as a whole word."""
        pattern = self._name_pattern()
        return pattern is not None and any(pattern.search(fold(text)) for text in strings_in(value))

    # --- what a database search looks for ------------------------------------------------

    def contact_spellings(self):
        """Substrings that every copy of an address contains (its local part)."""
        spellings = set()
        for email in self.emails:
            spellings |= _db_spellings(email.split("@")[0])
        return spellings

    def phone_regexes(self):
        """Regular expressions (portable to SQLite and PostgreSQL) for the last seven
        digits of each number, whatever separates them."""
        tails = {p[-7:] for p in self.phones if len(p) >= 7}
        return {"[^0-9]{0,3}".join(tail) for tail in tails}

    def name_spellings(self):
        spellings = set()
        for name in self.names:
            spellings |= _db_spellings(name)
        return spellings


def strings_in(value):
    """Every string inside `value` (text or JSON), keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings_in(item)


def json_without_contact_details(value, identifiers):
    """A JSON value in which every string holding the person's e-mail or phone is
    replaced whole by [erased]: an item of a list or report is a value of its own, and
    one holding their address is about them."""
    if isinstance(value, str):
        return ERASED if identifiers.holds_contact_details(value) else value
    if isinstance(value, list):
        return [json_without_contact_details(item, identifiers) for item in value]
    if isinstance(value, dict):
        return {
            json_without_contact_details(key, identifiers): json_without_contact_details(
                item, identifiers
            )
            for key, item in value.items()
        }
    return value
