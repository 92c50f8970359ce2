"""Every staff page of an ask links to its other pages through one navigation: board,
table, signatures, report, e-mail, statement & settings, and the public page when it is up."""

import re

import pytest
from django.urls import reverse

from tests.factories import make_ask, make_message_template

pytestmark = pytest.mark.django_db

# page: (URL name, argument, the tab it marks as current)
PAGES = {
    "board": ("outreach:ask-board", "slug", "Board"),
    "table": ("outreach:ask-table", "slug", "Table"),
    "signatures": ("outreach:signature-list", "pk", "Signatures"),
    "report": ("outreach:report-ask", "slug", "Report"),
    "email": ("outreach:message-template-list", "slug", "E-mail"),
    "email-compose": ("outreach:email-compose", "slug", "E-mail"),
    "message-create": ("outreach:message-template-create", "slug", "E-mail"),
    "about": ("outreach:ask-detail", "slug", "Statement &amp; settings"),
    "edit": ("outreach:ask-update", "slug", "Statement &amp; settings"),
}


def _nav(html):
    match = re.search(r'<nav class="tabs" aria-label="This ask">(.*?)</nav>', html, re.S)
    assert match, "no navigation for the ask"
    return match.group(1)


def _links(ask):
    return {
        "Board": reverse("outreach:ask-board", args=[ask.slug]),
        "Table": reverse("outreach:ask-table", args=[ask.slug]),
        "Signatures": reverse("outreach:signature-list", args=[ask.pk]),
        "Report": reverse("outreach:report-ask", args=[ask.slug]),
        "E-mail": reverse("outreach:message-template-list", args=[ask.slug]),
        "Statement &amp; settings": reverse("outreach:ask-detail", args=[ask.slug]),
    }


def _get(client, ask, name, key):
    response = client.get(reverse(name, args=[ask.slug if key == "slug" else ask.pk]))
    assert response.status_code == 200, name
    return response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_each_page_of_an_ask_links_to_all_the_others(staff_client, page):
    ask = make_ask()
    name, key, current = PAGES[page]

    nav = _nav(_get(staff_client, ask, name, key))

    for label, url in _links(ask).items():
        assert f'href="{url}"' in nav, f"{page} has no link to {label}"
    assert re.findall(r'aria-current="page">([^<]+)<', nav) == [current]


def test_the_message_edit_page_has_the_navigation_too(staff_client):
    ask = make_ask()
    message = make_message_template(ask)

    page = staff_client.get(reverse("outreach:message-template-update", args=[message.pk]))

    assert f'href="{reverse("outreach:ask-board", args=[ask.slug])}"' in _nav(page.content.decode())


def test_the_public_page_is_linked_only_once_published(staff_client, client):
    draft, live = make_ask(is_published=False), make_ask(is_published=True)

    for page, (name, key, _current) in PAGES.items():
        assert "/s/" not in _nav(_get(staff_client, draft, name, key)), page
        nav = _nav(_get(staff_client, live, name, key))
        assert f'href="{reverse("public:statement", args=[live.slug])}"' in nav, page
    assert client.get(reverse("public:statement", args=[live.slug])).status_code == 200
