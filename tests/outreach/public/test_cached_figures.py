"""The public page and the reports keep what they read from many signatures in the cache,
and every change to those signatures shows at once (outreach/signature_cache.py)."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from crm.privacy import subject_erase
from crm.services import tag_add
from outreach.models import Signature
from outreach.services import signature_record, signature_withdraw
from outreach.signature_cache import cached, signatures_changed
from tests.factories import make_ask, make_signature, make_user
from tests.outreach.public.conftest import sign_and_confirm

pytestmark = pytest.mark.django_db


def count_on(response):
    """The number of signatories the page shows (it may come from the cache)."""
    figures = re.search(r'data-testid="counts">(.*?)</p>', response.content.decode(), re.S)
    return sum(
        int(n.replace(",", "")) for n in re.findall(r"<strong>([\d,]+)</strong>", figures[1])
    )


def names_on(response):
    """The names as the page shows them (the list may come from a cached fragment)."""
    page = response.content.decode()
    listed = re.search(r'<ul class="signatory-list">(.*?)</ul>', page, re.S)
    return re.findall(r"<strong>(?:<a [^>]*>)?([^<]+)", listed.group(1)) if listed else []


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_a_second_visit_reads_the_counts_and_the_list_from_the_cache(client, ask):
    for _ in range(3):
        make_signature(ask)
    first = queries_for(client, f"/s/{ask.slug}/")
    second = queries_for(client, f"/s/{ask.slug}/")
    assert second < first
    assert second <= 2  # the ask and its translations


def test_without_a_shared_cache_nothing_is_cached(client, ask, settings):
    settings.SIGNATURE_FIGURES_CACHE_SECONDS = 0
    make_signature(ask)
    assert queries_for(client, f"/s/{ask.slug}/") == queries_for(client, f"/s/{ask.slug}/")


def test_searches_are_read_afresh(client, ask):
    signature = make_signature(ask, name="Mira Example")
    client.get(f"/s/{ask.slug}/?q=mira")
    Signature.objects.filter(pk=signature.pk).update(display_name="Mira Renamed")
    assert names_on(client.get(f"/s/{ask.slug}/?q=mira")) == ["Mira Renamed"]


def test_a_new_confirmed_signature_shows_at_once(client, ask):
    make_signature(ask, name="First Signatory")
    assert count_on(client.get(f"/s/{ask.slug}/")) == 1
    make_signature(ask, name="Second Signatory")
    page = client.get(f"/s/{ask.slug}/")
    assert count_on(page) == 2
    assert names_on(page) == ["First Signatory", "Second Signatory"]


def test_a_confirmation_through_the_link_shows_at_once(client, ask):
    assert count_on(client.get(f"/s/{ask.slug}/")) == 0
    sign_and_confirm(client, ask, name="Pending Person", public="on")
    assert names_on(client.get(f"/s/{ask.slug}/")) == ["Pending Person"]


def test_a_withdrawal_takes_the_name_off_at_once(client, ask):
    leaving = make_signature(ask, name="Leaving Person")
    make_signature(ask, name="Staying Person")
    assert len(names_on(client.get(f"/s/{ask.slug}/"))) == 2
    signature_withdraw(signature=leaving, by=make_user())
    page = client.get(f"/s/{ask.slug}/")
    assert names_on(page) == ["Staying Person"]
    assert count_on(page) == 1


def test_an_erased_person_leaves_every_cached_page_at_once(client, ask):
    other = make_ask(slug="other-statement", is_published=True)
    erased = make_signature(ask, name="Erased Person")
    signature_record(ask=other, contact=erased.contact, display_name="Erased Person", public=True)
    for slug in (ask.slug, other.slug):
        assert names_on(client.get(f"/s/{slug}/")) == ["Erased Person"]
        assert client.get(f"/s/{slug}/embed/").context["latest"]
    subject_erase(contact=erased.contact)
    for slug in (ask.slug, other.slug):
        assert names_on(client.get(f"/s/{slug}/")) == []
        assert "Erased Person" not in client.get(f"/s/{slug}/embed/").content.decode()


def test_an_organisation_website_changed_shows_at_once(client, ask):
    signature = make_signature(ask, organisation=True, name="Privacy Watch")
    client.get(f"/s/{ask.slug}/")
    organisation = signature.organisation
    organisation.website = "https://privacy-watch.example"
    organisation.save()
    assert "https://privacy-watch.example" in client.get(f"/s/{ask.slug}/").content.decode()


def test_a_change_to_the_ask_shows_at_once(client, ask):
    make_signature(ask)
    assert client.get(f"/s/{ask.slug}/").context["counts"].target == 200
    ask.target_count = 500
    ask.save()
    assert client.get(f"/s/{ask.slug}/").context["counts"].target == 500


def test_a_bulk_change_made_without_a_writer_needs_the_bump(client, ask):
    """What the receivers cannot see (bulk SQL) must call signatures_changed: this is why."""
    signature = make_signature(ask, name="Bulk Renamed")
    client.get(f"/s/{ask.slug}/")
    Signature.objects.filter(pk=signature.pk).update(display_name="Renamed Quietly")
    assert names_on(client.get(f"/s/{ask.slug}/")) == ["Bulk Renamed"]
    signatures_changed(ask_ids=[ask.pk])
    assert names_on(client.get(f"/s/{ask.slug}/")) == ["Renamed Quietly"]


def test_a_figure_cached_before_the_commit_is_not_read_after_it(
    ask, django_capture_on_commit_callbacks
):
    """Another process may compute from the data as it was before the commit and store
    it under the version bumped inside the transaction: the bump at commit retires it."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        signatures_changed(ask_ids=[ask.pk])
        assert cached(ask, "figure", lambda: "as before the commit") == "as before the commit"
    assert cached(ask, "figure", lambda: "as committed") == "as committed"


def test_other_asks_keep_their_cached_figures(client, ask):
    other = make_ask(slug="other-statement", is_published=True)
    make_signature(other)
    client.get(f"/s/{other.slug}/")
    make_signature(ask)
    assert queries_for(client, f"/s/{other.slug}/") <= 2


def test_the_report_of_an_ask_follows_its_signatures_and_cause_tags(client, ask):
    from crm.models import Tag

    client.force_login(make_user(role="campaigner"))
    signature = make_signature(ask, organisation=True, name="Digital Rights Group")
    url = f"/reports/asks/{ask.slug}/"
    assert client.get(url).context["breakdowns"].total == 1
    assert queries_for(client, url) < queries_for(client, url + "?by=week")
    make_signature(ask)
    assert client.get(url).context["breakdowns"].total == 2
    cause = Tag.objects.create(name="Surveillance", kind=Tag.Kind.CAUSE)
    tag_add(tag=cause, model=type(signature.organisation), ids=[signature.organisation_id], by=None)
    causes = client.get(url).context["breakdowns"].cause
    assert [(row.label, row.count) for row in causes] == [("Surveillance", 1)]


@pytest.mark.parametrize(
    "query, is_cached",
    [
        ("", True),
        ("?country=NL&kind=individual&sort=-date&page=3", True),
        ("?q=mira", False),  # searches are read afresh
        ("?page=5000", False),  # beyond the pages people open
        ("?utm_source=newsletter", False),  # the links would carry it: not shared
    ],
)
def test_the_page_is_cached_as_rendered_for_the_lists_own_parameters_only(
    ask, rf, query, is_cached
):
    from outreach.views.public import _statement_page_key

    key = _statement_page_key(rf.get(f"/s/{ask.slug}/{query}"), ask, "en")
    assert (key is not None) == is_cached
    if is_cached:
        assert key != _statement_page_key(rf.get(f"/s/{ask.slug}/{query}"), ask, "nl")


def csrf_token_in(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


def stamp_in(response):
    return re.search(r'name="started" value="([^"]+)"', response.content.decode())[1]


def test_each_visitor_of_a_cached_page_signs_with_their_own_token(ask, settings):
    from django.test import Client

    settings.PUBLIC_SIGN_MIN_SECONDS = 0  # this visitor is quick; the time check has its tests

    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_page = first.get(f"/s/{ask.slug}/en/")
    with CaptureQueriesContext(connection) as captured:
        second_page = second.get(f"/s/{ask.slug}/en/")
    assert len(captured) <= 2  # from the cache
    assert csrf_token_in(first_page) != csrf_token_in(second_page)
    assert "form-started" not in second_page.content.decode()
    response = second.post(
        f"/s/{ask.slug}/en/sign/",
        {
            "csrfmiddlewaretoken": csrf_token_in(second_page),
            "started": stamp_in(second_page),
            "signing_as": "individual",
            "name": "Second Visitor",
            "email": "second@example.org",
        },
        REMOTE_ADDR="10.0.0.2",
    )
    assert response.status_code == 302


def test_signed_in_people_get_the_page_rendered_for_them(client, ask):
    client.force_login(make_user(role="campaigner"))
    client.get(f"/s/{ask.slug}/")
    assert client.get(f"/s/{ask.slug}/").context is not None  # rendered, not from the cache


def test_a_translation_edited_shows_at_once(client, ask):
    from outreach.models import AskTranslation

    translation = AskTranslation.objects.create(
        ask=ask, language="nl", title="Stop gezichtsherkenning", statement="Tekst."
    )
    assert "Stop gezichtsherkenning" in client.get(f"/s/{ask.slug}/nl/").content.decode()
    translation.title = "Verbied gezichtsherkenning"
    translation.save()
    assert "Verbied gezichtsherkenning" in client.get(f"/s/{ask.slug}/nl/").content.decode()
