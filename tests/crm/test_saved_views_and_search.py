"""Saved views per person, and the header search."""

import pytest
from django.urls import reverse

from crm.models import SavedView
from tests.factories import make_ask, make_contact, make_organisation, make_user

pytestmark = pytest.mark.django_db


def test_it_saves_a_view_for_its_owner_only(staff_client, staff, client):
    response = staff_client.post(
        reverse("crm:saved-view-create", args=["organisations"]),
        {"name": "EU digital-rights groups not yet asked", "query": "country=BE&not_asked=3"},
    )

    view = SavedView.objects.get()
    assert view.user == staff and view.list == "organisations"
    assert response.url == "/organisations/?country=BE&not_asked=3"
    html = staff_client.get("/organisations/", {"country": "BE"}).content.decode()
    assert "EU digital-rights groups not yet asked" in html

    client.force_login(make_user("someone-else"))
    assert (
        "EU digital-rights" not in client.get("/organisations/", {"country": "BE"}).content.decode()
    )
    assert client.post(reverse("crm:saved-view-delete", args=[view.pk])).status_code == 404


def test_a_second_view_with_the_same_name_is_refused(staff_client, staff):
    SavedView.objects.create(user=staff, list="contacts", name="Press")
    response = staff_client.post(
        reverse("crm:saved-view-create", args=["contacts"]), {"name": "press", "query": "q=x"}
    )
    assert "You already have a saved view with this name." in [
        str(m) for m in response.wsgi_request._messages
    ]
    assert SavedView.objects.count() == 1


def test_deleting_a_view_asks_first(staff_client, staff):
    view = SavedView.objects.create(user=staff, list="contacts", name="Press", query="q=x")
    url = reverse("crm:saved-view-delete", args=[view.pk])

    assert "Delete the view “Press”?" in staff_client.get(url).content.decode()
    assert SavedView.objects.exists()
    staff_client.post(url)
    assert not SavedView.objects.exists()


def test_header_search_lists_organisations_contacts_and_asks_as_you_type(staff_client):
    make_organisation("Réseau Liberté", acronym="RL")
    make_contact("Léa", "Liberté")
    make_ask(title="Liberté numérique")
    make_organisation("Unrelated")

    response = staff_client.get(
        reverse("crm:search"), {"q": "liberte"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert "<html" not in html
    assert "Réseau Liberté" in html and "Léa Liberté" in html and "Liberté numérique" in html
    assert "Unrelated" not in html


def test_search_page_works_without_javascript_and_says_when_nothing_matches(staff_client):
    response = staff_client.get(reverse("crm:search"), {"q": "nothing-like-this"})
    html = response.content.decode()
    assert "<title>Search: nothing-like-this · Coalition CRM</title>" in html
    assert "Nothing matches “nothing-like-this”." in html


def test_every_page_carries_the_header_search(staff_client):
    html = staff_client.get(reverse("outreach:dashboard")).content.decode()
    assert 'id="header-search"' in html and 'hx-get="/search/"' in html
