"""Cells written to spreadsheets that people open in Excel or LibreOffice."""

# A cell starting with one of these is run as a formula by spreadsheet programs
# (CSV injection); a leading apostrophe makes them show it as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """'=HYPERLINK(...)' -> "'=HYPERLINK(...)"; anything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
