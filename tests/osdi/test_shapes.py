"""The OSDI shapes this API serves (docs/interop.md): the entry point, each collection
and each record, their `_links`, `_embedded` and pagination fields."""

import pytest
from django.utils import timezone

from crm.models import Tag
from crm.services import tag_add
from tests.factories import make_ask, make_contact, make_signature
from tests.osdi.conftest import BASE

pytestmark = pytest.mark.django_db

COLLECTION_FIELDS = {"page", "per_page", "total_pages", "total_records", "_links", "_embedded"}
PERSON_FIELDS = {
    "identifiers",
    "origin_system",
    "created_date",
    "modified_date",
    "given_name",
    "family_name",
    "email_addresses",
    "phone_numbers",
    "postal_addresses",
    "languages_spoken",
    "coalition:do_not_contact",
    "coalition:erased_date",
    "_links",
}
PETITION_FIELDS = {
    "identifiers",
    "origin_system",
    "created_date",
    "modified_date",
    "title",
    "name",
    "description",
    "petition_text",
    "total_signatures",
    "browser_url",
    "coalition:campaign",
    "coalition:signers",
    "coalition:target_count",
    "coalition:opens_on",
    "coalition:closes_on",
    "coalition:published",
    "_links",
}
SIGNATURE_FIELDS = {
    "identifiers",
    "origin_system",
    "created_date",
    "modified_date",
    "action_date",
    "referrer_data",
    "coalition:status",
    "coalition:counted",
    "coalition:public",
    "coalition:display_name",
    "coalition:country",
    "coalition:organisation",
    "_links",
}


def _href(path):
    return f"http://testserver{BASE}{path}"


def test_the_entry_point_links_every_collection_and_names_the_system(osdi):
    response = osdi("viewer").get(BASE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/hal+json")
    body = response.json()
    assert body["vendor_name"] == "Coalition CRM"
    assert body["product_name"] == "Coalition CRM"
    assert body["osdi_version"] and body["motd"]
    assert body["_links"]["self"]["href"] == _href("")
    assert body["_links"]["osdi:people"]["href"] == _href("people/")
    assert body["_links"]["osdi:petitions"]["href"] == _href("petitions/")
    assert body["_links"]["osdi:tags"]["href"] == _href("tags/")
    assert [c["name"] for c in body["_links"]["curies"]] == ["osdi", "coalition"]


def test_a_collection_pages_with_links_both_ways(osdi):
    for n in range(5):
        make_contact(last_name=f"Paged {n}")
    body = osdi().get(BASE + "people/", {"per_page": 2, "page": 2}).json()
    assert set(body) == COLLECTION_FIELDS
    assert (body["page"], body["per_page"], body["total_pages"], body["total_records"]) == (
        2,
        2,
        3,
        5,
    )
    links = body["_links"]
    assert links["self"]["href"] == _href("people/?page=2&per_page=2")
    assert links["next"]["href"] == _href("people/?page=3&per_page=2")
    assert links["prev"]["href"] == _href("people/?page=1&per_page=2")
    people = body["_embedded"]["osdi:people"]
    assert len(people) == 2
    assert links["osdi:people"] == [person["_links"]["self"] for person in people]


def test_the_first_and_last_pages_have_no_link_beyond_them(osdi):
    make_contact()
    body = osdi().get(BASE + "people/").json()
    assert (body["page"], body["per_page"], body["total_pages"]) == (1, 25, 1)
    assert "next" not in body["_links"] and "prev" not in body["_links"]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"page": "0"}, "page number"),
        ({"page": "two"}, "page number"),
        ({"per_page": "101"}, "page size"),
        ({"per_page": "-1"}, "page size"),
    ],
)
def test_a_page_that_is_no_number_is_refused(osdi, query, named):
    response = osdi().get(BASE + "people/", query)
    assert response.status_code == 400
    assert named in response.json()["detail"][0]


def test_a_person_reads_as_an_osdi_person(osdi):
    contact = make_contact(
        first_name="Ana", last_name="Silva", email="ana@example.org", country="PT"
    )
    contact.preferred_language = "pt"
    contact.save()
    body = osdi().get(BASE + f"people/{contact.pk}/").json()
    assert set(body) == PERSON_FIELDS
    assert body["identifiers"] == [f"coalition_crm:{contact.pk}"]
    assert (body["given_name"], body["family_name"]) == ("Ana", "Silva")
    assert body["email_addresses"] == [{"primary": True, "address": "ana@example.org"}]
    assert body["postal_addresses"] == [{"primary": True, "country": "PT"}]
    assert body["languages_spoken"] == ["pt"]
    assert body["modified_date"].endswith("Z")
    assert body["_links"]["self"]["href"] == _href(f"people/{contact.pk}/")
    assert body["_links"]["osdi:signatures"]["href"] == _href(f"people/{contact.pk}/signatures/")


def test_a_petition_counts_what_the_public_page_counts(osdi):
    ask = make_ask(title="Stop FR", statement="We call for **this**.", is_published=True)
    make_signature(ask)
    make_signature(ask, status="pending")
    make_signature(ask, organisation=True, awaiting_verification=True)
    body = osdi().get(BASE + f"petitions/{ask.pk}/").json()
    assert set(body) == PETITION_FIELDS
    assert body["title"] == "Stop FR"
    assert body["petition_text"] == "We call for **this**."
    assert body["total_signatures"] == 1
    assert body["browser_url"] == f"http://testserver/s/{ask.slug}/"
    links = body["_links"]
    assert links["osdi:signatures"]["href"] == _href(f"petitions/{ask.pk}/signatures/")
    assert links["osdi:record_signature_helper"] == links["osdi:signatures"]


def test_an_unpublished_petition_has_no_browser_url_and_attendance_is_no_petition(osdi):
    draft = make_ask()
    meeting = make_ask(kind="attendance", is_published=True)
    client = osdi()
    assert "browser_url" not in client.get(BASE + f"petitions/{draft.pk}/").json()
    assert client.get(BASE + f"petitions/{meeting.pk}/").status_code == 404
    listed = client.get(BASE + "petitions/").json()["_embedded"]["osdi:petitions"]
    assert [p["identifiers"] for p in listed] == [[f"coalition_crm:{draft.pk}"]]


def test_a_signature_links_its_petition_and_person_and_names_its_organisation(osdi):
    ask = make_ask(is_published=True)
    signature = make_signature(ask, organisation=True, name="Digital Rights Now", country="DE")
    body = osdi().get(BASE + f"petitions/{ask.pk}/signatures/").json()
    assert set(body) == COLLECTION_FIELDS
    (row,) = body["_embedded"]["osdi:signatures"]
    assert set(row) == SIGNATURE_FIELDS
    assert row["action_date"].endswith("Z")
    assert row["referrer_data"] == {"source": "staff"}
    assert row["coalition:organisation"] == {
        "identifiers": [f"coalition_crm:{signature.organisation_id}"],
        "name": "Digital Rights Now",
        "country": "DE",
        "website": "",
    }
    links = row["_links"]
    assert links["self"]["href"] == _href(f"petitions/{ask.pk}/signatures/{signature.pk}/")
    assert links["osdi:petition"]["href"] == _href(f"petitions/{ask.pk}/")
    assert links["osdi:person"]["href"] == _href(f"people/{signature.contact_id}/")
    assert links["coalition:organisation"]["href"].endswith(
        f"/api/v1/organisations/{signature.organisation_id}/"
    )
    detail = osdi().get(links["self"]["href"]).json()
    assert detail["identifiers"] == row["identifiers"]


def test_a_person_lists_their_own_signatures(osdi):
    first, second = make_ask(), make_ask()
    signature = make_signature(first)
    make_signature(second)
    body = osdi().get(BASE + f"people/{signature.contact_id}/signatures/").json()
    assert [r["identifiers"] for r in body["_embedded"]["osdi:signatures"]] == [
        [f"coalition_crm:{signature.pk}"]
    ]


def test_a_signature_is_found_only_under_its_own_petition(osdi):
    ask, other = make_ask(), make_ask()
    signature = make_signature(ask)
    response = osdi().get(BASE + f"petitions/{other.pk}/signatures/{signature.pk}/")
    assert response.status_code == 404


def test_tags_and_their_taggings(osdi):
    tag = Tag.objects.create(name="press")
    contact = make_contact()
    tag_add(tag=tag, model=type(contact), ids=[contact.pk], by=None)
    client = osdi()
    (row,) = client.get(BASE + "tags/").json()["_embedded"]["osdi:tags"]
    assert row["name"] == "press"
    assert row["_links"]["osdi:taggings"]["href"] == _href(f"tags/{tag.pk}/taggings/")
    body = client.get(row["_links"]["osdi:taggings"]["href"]).json()
    (tagging,) = body["_embedded"]["osdi:taggings"]
    assert tagging["item_type"] == "osdi:person"
    assert tagging["_links"]["osdi:tag"]["href"] == _href(f"tags/{tag.pk}/")
    assert tagging["_links"]["osdi:person"]["href"] == _href(f"people/{contact.pk}/")
    assert client.get(tagging["_links"]["self"]["href"]).json() == tagging


def test_tags_keep_no_dates_so_a_filter_on_them_is_refused(osdi):
    response = osdi().get(BASE + "tags/", {"filter": f"modified_date gt '{timezone.now():%F}'"})
    assert response.status_code == 400
    assert "keep no dates" in response.json()["filter"][0]
