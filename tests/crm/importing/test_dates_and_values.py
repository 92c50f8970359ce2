import datetime

import pytest

from crm.importing.normalise import clean_country, parse_date, propose_day_first
from crm.models import Affiliation
from tests.crm.importing.helpers import csv_bytes, do_import, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name", ["BE", "bel", "Belgium", "Belgique", "België", "Belgien", "Bélgica", " belgium "]
)
def test_countries_are_read_from_codes_or_names_in_several_languages(name):
    assert clean_country(name) == "BE"


def _day(text, day_first):
    parsed, warning = parse_date(text, day_first=day_first)
    assert warning == ""
    return parsed.date() if isinstance(parsed, datetime.datetime) else parsed


@pytest.mark.parametrize("text", ["2023-09-05", "2023-9-5", "2023-09-05 14:30:00"])
def test_iso_dates_are_never_reinterpreted_by_the_day_first_choice(text):
    for day_first in (True, False):
        assert _day(text, day_first) == datetime.date(2023, 9, 5)


@pytest.mark.parametrize("text", ["05/09/2023", "05.09.2023", "5-9-2023", "05/09/2023 10:00"])
def test_ambiguous_dates_follow_the_explicit_choice(text):
    assert _day(text, True) == datetime.date(2023, 9, 5)
    assert _day(text, False) == datetime.date(2023, 5, 9)


def test_other_spellings_are_read_by_dateutil():
    assert _day("5 September 2023", True) == datetime.date(2023, 9, 5)
    assert _day("Sep 5, 2023", False) == datetime.date(2023, 9, 5)


def test_the_choice_is_proposed_only_when_the_file_is_unambiguous():
    assert propose_day_first(["05/09/2023", "25/12/2023"]) is True
    assert propose_day_first(["05/09/2023", "12/25/2023"]) is False
    assert propose_day_first(["05/09/2023", "2023-09-30"]) is None
    assert propose_day_first(["25/12/2023", "12/25/2023"]) is None


def _since_import(cells, **options):
    rows = [["E-mail", "Organisation", "Member since"]]
    rows += [[f"p{i}@example.org", "Liga", cell] for i, cell in enumerate(cells)]
    return do_import("contacts", csv_bytes(rows), **options)


def _since():
    return list(Affiliation.objects.order_by("contact__email").values_list("started_on", flat=True))


def test_an_impossible_date_becomes_empty_with_a_warning_and_keeps_the_row():
    outcome = _since_import(["31.09.2023", "30.09.2023"], day_first=True)

    assert outcome.committed
    assert outcome.counts["new"] == 2
    assert [w["reason"] for w in outcome.warnings] == ["“31.09.2023” is not a date; left empty."]
    assert _since() == [None, datetime.date(2023, 9, 30)]


def test_an_unambiguous_file_proposes_day_first():
    outcome = _since_import(["05/09/2023", "25/12/2023"])

    assert outcome.day_first is True
    assert _since() == [datetime.date(2023, 9, 5), datetime.date(2023, 12, 25)]


def test_an_ambiguous_file_says_how_it_read_the_dates():
    outcome = _since_import(["05/09/2023"])

    assert "read day first" in outcome.warnings[0]["reason"]


def test_a_file_of_iso_dates_gives_no_warning_about_the_order():
    outcome = _since_import(["2023-09-05", "2023-12-25 10:15:00"])

    assert outcome.warnings == []
    assert _since() == [datetime.date(2023, 9, 5), datetime.date(2023, 12, 25)]


def test_month_first_when_chosen():
    _since_import(["05/09/2023", "2023-09-05"], day_first=False)

    assert _since() == [datetime.date(2023, 5, 9), datetime.date(2023, 9, 5)]


def test_workbook_date_cells_are_dates_whatever_their_display_format():
    data = xlsx_bytes(
        [
            ["E-mail", "Organisation", "Since"],
            ["a@example.org", "Liga", datetime.datetime(2023, 9, 5)],  # noqa: DTZ001 (a cell has no zone)
        ]
    )

    do_import("contacts", data, file_name="f.xlsx", day_first=False)

    assert _since() == [datetime.date(2023, 9, 5)]
