"""The public page's list, counts, languages, exports and embed."""

import csv
import io
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.spreadsheets import neutralise_formula
from outreach.models import AskTranslation, Signature
from outreach.services import signature_withdraw
from tests.factories import make_signature

pytestmark = pytest.mark.django_db


def names_on(response):
    return [s.display_name for s in response.context["page_obj"].object_list]


def test_counts_separate_organisations_and_individuals_and_show_progress(client, ask):
    make_signature(ask, organisation=True)
    make_signature(ask, organisation=True, public=False)
    make_signature(ask)
    make_signature(ask, status="pending")

    response = client.get(f"/s/{ask.slug}/")

    counts = response.context["counts"]
    assert (counts.organisations, counts.individuals) == (2, 1)
    assert counts.percent_of_target == 2  # 3 of 200
    assert "3 of 200" in response.content.decode()


def test_the_list_filters_by_country_searches_and_sorts(client, ask):
    make_signature(ask, name="Zeta Group", organisation=True, country="NL")
    make_signature(ask, name="Alpha Aktion", organisation=True, country="DE")
    make_signature(ask, name="Mira Example", country="NL", affiliation_text="Alpha University")

    assert names_on(client.get(f"/s/{ask.slug}/")) == [
        "Alpha Aktion",
        "Mira Example",
        "Zeta Group",
    ]
    assert names_on(client.get(f"/s/{ask.slug}/?country=NL")) == ["Mira Example", "Zeta Group"]
    assert names_on(client.get(f"/s/{ask.slug}/?q=alpha")) == ["Alpha Aktion", "Mira Example"]
    assert names_on(client.get(f"/s/{ask.slug}/?sort=-name")) == [
        "Zeta Group",
        "Mira Example",
        "Alpha Aktion",
    ]
    assert names_on(client.get(f"/s/{ask.slug}/?sort=-date"))[0] == "Mira Example"
    assert names_on(client.get(f"/s/{ask.slug}/?kind=individual")) == ["Mira Example"]
    page = client.get(f"/s/{ask.slug}/").content.decode()
    country_filter = re.search(r'<select id="list-country".*?</select>', page, re.S)
    assert re.findall(r'<option value="([^"]*)"', country_filter.group(0)) == ["", "DE", "NL"]
    empty = client.get(f"/s/{ask.slug}/?q=nobody-by-this-name")
    assert "No listed signatory matches" in empty.content.decode()


def test_the_list_is_paginated_in_a_constant_number_of_queries(client, ask):
    def queries_for_one_page():
        cache.clear()  # what is read, not what is cached (bulk_create sends no signals)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/s/{ask.slug}/nl/?page=2")
        assert response.status_code == 200
        return len(captured)

    for _ in range(55):
        make_signature(ask, organisation=True, country="FR")
    few = queries_for_one_page()
    Signature.objects.bulk_create(
        Signature(ask=ask, contact=s.contact, display_name=f"Bulk {n}", public=True)
        for n, s in enumerate(Signature.objects.filter(ask=ask)[:50])
    )
    many = queries_for_one_page()

    assert few == many
    assert few <= 7


def test_a_translation_is_shown_with_the_page_words_in_that_language(client, ask):
    AskTranslation.objects.create(
        ask=ask, language="nl", title="Stop gezichtsherkenning", statement="Wij eisen een verbod."
    )

    dutch = client.get(f"/s/{ask.slug}/nl/").content.decode()
    assert "Stop gezichtsherkenning" in dutch
    assert "Wij eisen een verbod." in dutch
    assert "Onderteken" in dutch  # the form's own words are Dutch too
    assert '<html lang="nl">' in dutch


def test_a_language_without_translation_falls_back_to_the_original_text(client, ask):
    page = client.get(f"/s/{ask.slug}/ja/").content.decode()

    assert "<strong>ban</strong>" in page
    assert '<article class="statement" lang="en">' in page
    assert '<html lang="ja">' in page


def test_an_unknown_language_is_not_found(client, ask):
    assert client.get(f"/s/{ask.slug}/xx/").status_code == 404


def test_exports_hold_only_the_allow_listed_fields_of_listed_signatories(client, ask):
    make_signature(ask, name='=HYPERLINK("http://evil")', organisation=True)
    make_signature(ask, name="Listed Person", affiliation_text="Uni")
    make_signature(ask, name="Hidden Person", public=False)

    rows = list(csv.reader(io.StringIO(client.get(f"/s/{ask.slug}/signatories.csv")
                                       .content.decode("utf-8-sig"))))  # fmt: skip
    data = json.loads(client.get(f"/s/{ask.slug}/signatories.json").content)

    assert rows[0] == ["name", "kind", "country", "website", "affiliation", "signed_on"]
    assert [row[0] for row in rows[1:]] == ['\'=HYPERLINK("http://evil")', "Listed Person"]
    assert [item["name"] for item in data["signatories"]] == [
        '=HYPERLINK("http://evil")',
        "Listed Person",
    ]
    assert set(data["signatories"][1]) == set(rows[0])
    assert data["individuals"] == 2 and data["organisations"] == 1
    assert "example.org" not in json.dumps(data)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+31 20", "'+31 20"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Amnesty", "Amnesty"),
        ("", ""),
        (5, 5),
        (None, None),
    ],
)
def test_neutralise_formula(value, expected):
    assert neutralise_formula(value) == expected


def test_the_embed_may_be_framed_by_other_sites_and_the_page_may_not(client, ask):
    make_signature(ask, name="Framed Org", organisation=True)

    embed = client.get(f"/s/{ask.slug}/embed/")
    page = client.get(f"/s/{ask.slug}/")

    assert "Framed Org" in embed.content.decode()
    assert "X-Frame-Options" not in embed.headers
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_public_pages_have_no_inline_scripts_or_styles(client, ask):
    page = client.get(f"/s/{ask.slug}/").content.decode()

    assert "<script>" not in page and "<style" not in page and 'style="' not in page
    assert "onclick" not in page


def test_counts_are_right_immediately_after_confirmation_and_withdrawal(client, ask):
    signature = make_signature(ask, status="pending")
    assert client.get(f"/s/{ask.slug}/").context["counts"].total == 0

    confirmed = make_signature(ask)
    assert client.get(f"/s/{ask.slug}/").context["counts"].total == 1

    signature_withdraw(signature=confirmed, reason="test")
    assert client.get(f"/s/{ask.slug}/").context["counts"].total == 0
    assert signature.status == Signature.Status.PENDING


@pytest.mark.parametrize(
    ("lang", "word"),
    [
        ("en", "Sign this statement"),
        ("nl", "Onderteken deze verklaring"),
        ("fr", "Signez cette déclaration"),
        ("de", "Unterzeichnen Sie diese Erklärung"),
        ("es", "Firme esta declaración"),
        ("ja", "この声明に署名する"),
    ],
)
def test_the_page_speaks_each_language(client, ask, lang, word):
    assert word in client.get(f"/s/{ask.slug}/{lang}/").content.decode()


def test_the_confirmation_e_mail_follows_the_page_language(client, ask):
    from django.core import mail

    from tests.outreach.public.conftest import sign

    sign(client, ask, lang="de")

    assert mail.outbox[0].subject.startswith("Bitte bestätigen Sie Ihre Unterschrift")
    assert "/s/stop-facial-recognition/de/confirm/" in mail.outbox[0].body
