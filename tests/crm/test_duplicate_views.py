"""The review queue: who may use it, side by side, not a duplicate, merge after confirming."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Contact, MergedRecord, NotDuplicate, Organisation
from tests.factories import make_contact, make_organisation, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def coordinator(client):
    user = make_user(role="coordinator")
    client.force_login(user)
    return user


def test_it_lists_suggested_pairs_with_reasons_in_a_fixed_number_of_queries(client, coordinator):
    for n in range(3):
        make_contact("Ana", f"López{n}")
        make_contact("ana", f"LOPEZ{n}")
    client.get("/duplicates/contacts/")  # the finder runs once, then its answer is kept
    with CaptureQueriesContext(connection) as few:
        response = client.get("/duplicates/contacts/")
    for n in range(3, 8):
        make_contact("Ana", f"López{n}")
        make_contact("ana", f"LOPEZ{n}")
    client.post("/duplicates/contacts/")  # look again
    with CaptureQueriesContext(connection) as more:
        client.get("/duplicates/contacts/")

    assert response.status_code == 200
    assert "same name (accents, case and word order aside)" in response.text
    assert len(more) == len(few)


def test_campaigners_and_viewers_may_not_merge(client):
    for role in ("campaigner", "viewer"):
        client.force_login(make_user(role=role))
        assert client.get("/duplicates/organisations/").status_code == 403


def test_an_unknown_list_is_not_found(client, coordinator):
    assert client.get("/duplicates/tags/").status_code == 404


def test_the_review_page_shows_the_pair_side_by_side(client, coordinator):
    a = make_organisation("European Digital Rights", city="Brussels")
    b = make_organisation("EDRi", website="https://edri.org")

    response = client.get(f"/duplicates/organisations/{a.pk}/{b.pk}/")

    assert response.status_code == 200
    assert "European Digital Rights" in response.text and "https://edri.org" in response.text
    assert 'name="field_name" value="first" checked' in response.text


def test_not_a_duplicate_is_remembered_and_not_shown_again(client, coordinator):
    a, b = make_organisation("Access Now"), make_organisation("ACCESS NOW")
    assert "ACCESS NOW" in client.get("/duplicates/organisations/").text

    response = client.post(
        f"/duplicates/organisations/{a.pk}/{b.pk}/", {"action": "dismiss"}, follow=True
    )

    assert NotDuplicate.objects.filter(first_id=a.pk, second_id=b.pk).exists()
    assert "No duplicates to review" in response.text
    client.post("/duplicates/organisations/")  # even when the finder looks again
    assert "No duplicates to review" in client.get("/duplicates/organisations/").text


def test_merging_asks_for_confirmation_then_keeps_the_chosen_values(client, coordinator):
    a = make_contact("Ana", "Lopez", email="ana@a.org")
    b = make_contact("Ana", "López", email="ana@b.org", expertise="Biometrics")
    choices = {"keep": "first", "field_last_name": "second", "field_email": "second"}

    confirm = client.post(f"/duplicates/contacts/{a.pk}/{b.pk}/", {**choices, "action": "review"})

    assert "Merge “Ana López” into “Ana Lopez”?" in confirm.text
    assert Contact.objects.count() == 2  # nothing merged yet

    response = client.post(f"/duplicates/contacts/{a.pk}/{b.pk}/", {**choices, "action": "merge"})

    assert response.url == f"/contacts/{a.pk}/"
    a.refresh_from_db()
    assert (a.last_name, a.email, a.expertise) == ("López", "ana@b.org", "Biometrics")
    assert MergedRecord.objects.get(old_id=b.pk).merged_by == coordinator
    gone = client.get(f"/duplicates/contacts/{a.pk}/{b.pk}/", follow=True)
    assert "no longer exists" in gone.text


def test_keeping_the_second_record_merges_the_first_into_it(client, coordinator):
    a, b = make_organisation("Bits of Freedom"), make_organisation("Bits of Freedom (BoF)")

    client.post(
        f"/duplicates/organisations/{a.pk}/{b.pk}/",
        {"keep": "second", "field_name": "first", "field_acronym": "second", "action": "merge"},
    )

    survivor = Organisation.objects.get()
    assert survivor.pk == b.pk
    assert (survivor.name, survivor.acronym) == ("Bits of Freedom", "")
