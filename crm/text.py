"""Normalisation of the text people type, used by models, forms and imports alike."""

import re
import unicodedata

# Spaces str.strip() leaves behind: zero-width space, word joiner, byte-order mark.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_WHITESPACE_RUN = re.compile(r"\s+")


def strip_all_spaces(value):
    return value.strip().strip(_INVISIBLE).strip()


def normalise_email(value):
    """'  Ana@X.org\u00a0' -> 'ana@x.org' (trimmed of every Unicode space, NFC, lower case)."""
    if value is None:
        return ""
    return unicodedata.normalize("NFC", strip_all_spaces(str(value))).lower()


def normalise_name(value):
    """NFC with runs of whitespace collapsed to one space: how names are stored."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", str(value)).translate({ord(c): None for c in _INVISIBLE})
    return _WHITESPACE_RUN.sub(" ", value).strip()
