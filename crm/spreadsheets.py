"""Helpers for the spreadsheets the app writes."""

# A cell starting with one of these is read as a formula by spreadsheet programs
# (CSV injection); a leading apostrophe makes it plain text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Return `value` safe to put in a spreadsheet cell: text that a spreadsheet would
    run as a formula gets a leading apostrophe; anything else comes back unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
