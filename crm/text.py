"""Normalisation of the text people type, used by models, forms and imports alike."""

import re
import unicodedata
from functools import lru_cache

# Spaces str.strip() leaves behind: zero-width space, word joiner, byte-order mark.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_WHITESPACE_RUN = re.compile(r"\s+")

# Addresses at these providers say nothing about which organisation someone works for.
FREE_MAIL_DOMAINS = {
    "gmail.com", "googlemail.com", "yahoo.com", "outlook.com", "hotmail.com", "live.com",
    "icloud.com", "me.com", "proton.me", "protonmail.com", "posteo.de", "gmx.de", "gmx.net",
    "web.de", "mail.com", "aol.com", "yandex.com", "riseup.net", "tutanota.com", "orange.fr",
    "free.fr", "laposte.net", "yahoo.co.jp", "disroot.org", "mailbox.org",
}  # fmt: skip


def strip_all_spaces(value):
    return value.strip().strip(_INVISIBLE).strip()


def normalise_email(value):
    """'  Ana@X.org\u00a0' -> 'ana@x.org': trimmed of every Unicode space, NFKC (so the
    full-width 'ａ' is 'a'), lower case, and the domain in its IDNA form (one spelling of
    an internationalised domain). The one comparison key of an address everywhere:
    contacts, signatures, rate limits, the erasure suppression, import matching."""
    if value is None:
        return ""
    value = unicodedata.normalize("NFKC", strip_all_spaces(str(value))).lower()
    local, at, domain = value.rpartition("@")
    if not at:
        return value
    return f"{local}@{_idna(domain)}"


# Domains repeat (a partner's staff share one) and IDNA is not cheap; the addresses
# themselves are not kept in memory.
@lru_cache(maxsize=65536)
def _idna(domain):
    """The domain as IDNA reads it ('BÜcher.example' -> 'bücher.example'); as typed when
    it is no valid domain (the e-mail validator says so)."""
    try:
        return domain.encode("idna").decode("idna")
    except UnicodeError:
        return domain


def normalise_name(value):
    """NFC with runs of whitespace collapsed to one space: how names are stored."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", str(value)).translate({ord(c): None for c in _INVISIBLE})
    return _WHITESPACE_RUN.sub(" ", value).strip()
