"""Export -> re-import gives only "unchanged", over generated records, through the real
export resources (the ones the lists, the admin and `manage.py export_records` use) and
the import planner's preview."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm import exporting
from crm.models import Affiliation, Contact, Organisation
from crm.text import normalise_name
from tests.crm.importing.helpers import do_import

pytestmark = pytest.mark.django_db

FORMULA_STARTS = ["", "", "", "=", "+", "-", "@", "'", "\t"]
# Latin with accents, Greek, Cyrillic, Arabic, CJK, Devanagari.
SCRIPTS = st.sampled_from(
    ["Latin-1 Supplement", "Greek", "Cyrillic", "Arabic", "CJK", "Devanagari", "Basic"]
)
_ALPHABETS = {
    "Basic": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "Latin-1 Supplement": "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿÀÉÎÕÜß",
    "Greek": "αβγδεζηθικλμνξοπρστυφχψωΑΒΓΔ",
    "Cyrillic": "абвгдежзийклмнопрстуфхцчшщыэюяЖЩ",
    "Arabic": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "CJK": "王李张刘陈杨黄赵吴周徐孙马朱胡",
    "Devanagari": "अआइईउऊएऐओऔकखगघङचछजझ",
}


def _word(draw):
    alphabet = _ALPHABETS[draw(SCRIPTS)]
    return draw(st.text(alphabet=alphabet, min_size=1, max_size=12))


@st.composite
def names(draw):
    words = [_word(draw) for _ in range(draw(st.integers(1, 3)))]
    return normalise_name(draw(st.sampled_from(FORMULA_STARTS)) + " ".join(words))


@st.composite
def notes(draw):
    start = draw(st.sampled_from([*FORMULA_STARTS, "", "\r"]))
    body = draw(st.sampled_from(["", "call back", "=1+1", "SUM(A1:A3)", "line one\nline two"]))
    return (start + body).strip() if start not in ("\t", "\r") else start + body


COUNTRIES = st.sampled_from(["", "FR", "DE", "NL", "BE", "ES", "PL", "GR", "UA", "JP", "IN"])
PHONES = st.sampled_from(["", "+32 2 123 45 67", "+33 1 42 68 53 00", "+49 30 901820"])

contacts = st.lists(
    st.fixed_dictionaries(
        {
            "first_name": names(),
            "last_name": st.one_of(st.just(""), names()),
            "country": COUNTRIES,
            "phone": PHONES,
            "notes": notes(),
            "organisation": st.one_of(st.just(""), names()),
        }
    ),
    min_size=1,
    max_size=6,
)
organisations = st.lists(
    st.fixed_dictionaries(
        {
            "name": names(),
            "city": st.one_of(st.just(""), names()),
            "country": COUNTRIES,
            "notes": notes(),
        }
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda o: o["name"].casefold(),
)


def _clear():
    Affiliation.objects.all().delete()
    Contact.objects.all().delete()
    Organisation.objects.all().delete()


def _reimport(kind, file_format):
    content, count = exporting.render(
        kind, exporting.kinds()[kind].model.objects.all(), file_format
    )
    outcome = do_import(kind, content, file_name=f"export.{file_format}", commit=False)
    return outcome, count


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(people=contacts, file_format=st.sampled_from(exporting.FORMATS))
def test_exported_contacts_reimport_as_unchanged(people, file_format):
    _clear()
    for i, person in enumerate(people):
        organisation_name = person.pop("organisation")
        contact = Contact.objects.create(email=f"p{i}@example.org", **person)
        if organisation_name:
            organisation, _ = Organisation.objects.get_or_create(name=organisation_name)
            Affiliation.objects.create(contact=contact, organisation=organisation, is_primary=True)

    outcome, count = _reimport("contacts", file_format)

    assert not outcome.errors, outcome.errors
    assert outcome.counts["unchanged"] == count == len(people), outcome.counts
    assert outcome.counts["new"] == outcome.counts["updated"] == 0, outcome.counts


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=organisations, file_format=st.sampled_from(exporting.FORMATS))
def test_exported_organisations_reimport_as_unchanged(rows, file_format):
    _clear()
    for row in rows:
        Organisation.objects.create(**row)

    outcome, count = _reimport("organisations", file_format)

    assert not outcome.errors, outcome.errors
    assert outcome.counts["unchanged"] == count == len(rows), outcome.counts
    assert outcome.counts["new"] == outcome.counts["updated"] == 0, outcome.counts
