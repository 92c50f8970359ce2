"""Staff pages link to an ask's public pages (statement, signatories CSV/JSON, embed) only
when those pages answer: an unpublished ask's public pages are "not found"."""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from outreach.models import Ask
from tests.factories import make_ask, make_signature

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    ("outreach:ask-board", "slug"),
    ("outreach:ask-table", "slug"),
    ("outreach:ask-detail", "slug"),
    ("outreach:ask-update", "slug"),
    ("outreach:message-template-list", "slug"),
    ("outreach:email-compose", "slug"),
    ("outreach:signature-list", "pk"),
    ("outreach:report-ask", "slug"),
]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _public_links(client, ask):
    """Every link to /s/… on the ask's staff pages, by page."""
    found = {}
    for name, key in STAFF_PAGES:
        response = client.get(reverse(name, args=[ask.slug if key == "slug" else ask.pk]))
        assert response.status_code == 200, name
        parser = Links()
        parser.feed(response.content.decode())
        found[name] = {href for href in parser.hrefs if href.startswith("/s/")}
    return found


def _ask(published):
    ask = make_ask(is_published=published, slug="stop-fr")
    make_signature(ask, name="Bits of Freedom", organisation=True)
    return ask


def test_an_unpublished_asks_staff_pages_link_to_no_public_page(staff_client):
    ask = _ask(published=False)

    links = _public_links(staff_client, ask)

    assert links == {name: set() for name, _key in STAFF_PAGES}
    page = staff_client.get(reverse("outreach:signature-list", args=[ask.pk])).content.decode()
    assert "signatories.csv" not in page and "signatories.json" not in page
    assert "/embed/" not in page
    assert "offered once the ask is published" in page


def test_the_public_pages_of_an_unpublished_ask_are_not_found(client):
    ask = _ask(published=False)

    for name in ("public:statement", "public:export-csv", "public:export-json", "public:embed"):
        assert client.get(reverse(name, args=[ask.slug])).status_code == 404, name


def test_a_published_asks_staff_pages_link_to_its_public_pages_and_they_answer(staff_client):
    ask = _ask(published=True)

    links = _public_links(staff_client, ask)

    on_signatures = links["outreach:signature-list"]
    assert {
        reverse("public:statement", args=[ask.slug]),
        reverse("public:export-csv", args=[ask.slug]),
        reverse("public:export-json", args=[ask.slug]),
    } <= on_signatures
    page = staff_client.get(reverse("outreach:signature-list", args=[ask.pk])).content.decode()
    assert f"/s/{ask.slug}/embed/" in page
    anonymous = Client()
    for href in set().union(*links.values()):
        assert anonymous.get(href).status_code == 200, href


def test_the_public_views_and_the_staff_links_follow_one_rule(client):
    ask = _ask(published=True)
    statement = reverse("public:statement", args=[ask.slug])
    assert ask.has_public_pages and client.get(statement).status_code == 200

    Ask.objects.filter(pk=ask.pk).update(is_published=False)
    ask.refresh_from_db()

    assert not ask.has_public_pages and client.get(statement).status_code == 404
