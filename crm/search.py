"""Accent- and case-insensitive search that works the same on SQLite and PostgreSQL.

Each organisation and contact keeps a `search_text` column: its names, e-mails and
website folded by `fold()` (no accents, case-folded, full-width forms made plain). A
search folds what was typed the same way and looks for every word as a substring of that
column, so "jose" finds "José", "MULLER" finds "Müller", and a Japanese name is found by
any part of it ("中由" finds "田中由紀"). Folding in Python rather than with a database
function (unaccent, ICU collations) keeps the two databases giving the same answers.
"""

import unicodedata

from django.db import models

# Letters that carry their "accent" in the letter itself, so NFKD does not take it off.
_PLAIN_LETTERS = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "ħ": "h",
        "ı": "i",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "þ": "th",
    }
)
# The kana voicing marks are part of the sound (か is not が): they stay.
_KEPT_MARKS = {"\u3099", "\u309a"}


def fold(value):
    """'  José MÜLLER ' -> 'jose muller'; 'ＡＢＣ' -> 'abc'; '田中 由紀' stays as it is."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(value))
    kept = "".join(
        char for char in decomposed if char in _KEPT_MARKS or not unicodedata.combining(char)
    )
    folded = unicodedata.normalize("NFC", kept).translate(_PLAIN_LETTERS).casefold()
    return " ".join(folded.split())


def search_words(query):
    """The folded words of what someone typed; each must appear in a match."""
    return fold(query).split()


def filter_by_search(queryset, query, field="search_text"):
    """Narrow `queryset` to rows whose folded search column contains every word."""
    for word in search_words(query):
        queryset = queryset.filter(**{f"{field}__has": word})
    return queryset


class SearchTextField(models.TextField):
    """Folded text (see fold()) that the search box looks in, with a `has` lookup."""


@SearchTextField.register_lookup
class Has(models.Lookup):
    """`search_text__has="ose"`: the folded column contains the (folded) word.

    PostgreSQL: LIKE '%ose%', which the trigram index serves. SQLite: instr(), a plain
    substring test that is faster than LIKE on non-Latin text, marked as selective with
    likelihood() so that, for a sort order without an index carrying the search column,
    the planner scans and sorts the few matches instead of walking a whole index in
    order reading the table for each entry (see docs/performance.md).
    """

    lookup_name = "has"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        pattern = f"%{connection.ops.prep_for_like_query(rhs_params[0])}%"
        return f"{lhs} LIKE {rhs}", [*lhs_params, pattern]

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"likelihood(instr({lhs}, {rhs}) > 0, 0.05)", [*lhs_params, *rhs_params]
