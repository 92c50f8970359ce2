"""Campaigns and asks get their slug from their name or title when none is typed, the same
way from the staff forms, the API and the admin."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import api_token_create
from outreach.models import Ask, Campaign
from tests.factories import make_ask, make_campaign, make_user

pytestmark = pytest.mark.django_db


def _ask_form(campaign, **overrides):
    data = {
        "campaign": campaign.pk,
        "title": "Stop facial recognition surveillance now",
        "slug": "",
        "kind": "statement",
        "signers": "both",
        "language": "en",
        "statement": "",
        "target_count": "0",
        "first_reminder_after": "5",
        "reminder_every": "7",
        "max_reminders": "2",
        "holidays": "",
        "tr-TOTAL_FORMS": "0",
        "tr-INITIAL_FORMS": "0",
    }
    return {**data, **overrides}


def test_it_makes_a_campaign_slug_from_its_name(staff_client):
    response = staff_client.post(
        reverse("outreach:campaign-create"), {"name": "Reclaim Your Face!", "slug": ""}
    )

    assert response.status_code == 302
    assert Campaign.objects.get().slug == "reclaim-your-face"


def test_it_makes_an_ask_slug_from_its_title(staff_client):
    response = staff_client.post(reverse("outreach:ask-create"), _ask_form(make_campaign()))

    ask = Ask.objects.get()
    assert ask.slug == "stop-facial-recognition-surveillance-now"
    assert response.url == reverse("outreach:ask-detail", args=[ask.slug])


def test_a_taken_slug_gets_the_next_number(staff_client):
    campaign = make_campaign()
    make_ask(title="Older", slug="stop-fr")
    make_ask(title="Older too", slug="stop-fr-2")

    staff_client.post(reverse("outreach:ask-create"), _ask_form(campaign, title="Stop FR"))
    staff_client.post(reverse("outreach:ask-create"), _ask_form(campaign, title="Stop  FR"))

    assert set(Ask.objects.filter(campaign=campaign).values_list("slug", flat=True)) == {
        "stop-fr-3",
        "stop-fr-4",
    }


def test_a_title_without_latin_letters_gets_a_numbered_fallback():
    campaign = Campaign.objects.create(name="顔認証監視を今すぐやめろ")
    first = Ask.objects.create(campaign=campaign, title="顔認証監視を今すぐやめろ")
    second = Ask.objects.create(campaign=campaign, title="顔認証")

    assert (campaign.slug, first.slug, second.slug) == ("campaign", "ask", "ask-2")


def test_accented_letters_are_kept_as_their_plain_form():
    assert make_campaign(name="Liberté numérique", slug="").slug == "liberte-numerique"


def test_an_auto_slug_never_shadows_the_new_page():
    ask = Ask.objects.create(campaign=make_campaign(), title="New")

    assert ask.slug == "new-2"
    assert Campaign.objects.create(name="New").slug == "new-2"


def test_a_long_title_makes_a_slug_that_fits_with_its_number():
    title = "A " + "very " * 30 + "long title"
    first = Ask.objects.create(campaign=make_campaign(), title=title)
    second = Ask.objects.create(campaign=make_campaign(), title=title)

    assert len(first.slug) <= 80 and not first.slug.endswith("-")
    assert second.slug == f"{first.slug}-2"


def test_a_typed_slug_is_kept(staff_client):
    staff_client.post(reverse("outreach:ask-create"), _ask_form(make_campaign(), slug="mine"))

    assert Ask.objects.get().slug == "mine"


def test_a_typed_slug_that_is_taken_is_refused_not_renumbered(staff_client):
    make_ask(slug="mine")

    response = staff_client.post(
        reverse("outreach:ask-create"), _ask_form(make_campaign(), slug="mine")
    )

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Ask.objects.count() == 1


def test_the_forms_say_the_slug_is_optional(staff_client):
    for name in ("outreach:ask-create", "outreach:campaign-create"):
        page = staff_client.get(reverse(name)).content.decode()
        label = page[page.index('for="id_slug"') :].split("</label>")[0]
        assert "(required)" not in label
        assert "Left blank, it is made from the" in page


def test_the_api_makes_the_slugs_too():
    user = make_user(role="coordinator")
    _, token = api_token_create(user=user, name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    campaign = client.post("/api/v1/campaigns/", {"name": "Reclaim Your Face"}, format="json")
    ask = client.post(
        "/api/v1/asks/",
        {"campaign": campaign.json()["id"], "title": "Stop FR", "slug": ""},
        format="json",
    )

    assert (campaign.status_code, ask.status_code) == (201, 201)
    assert (campaign.json()["slug"], ask.json()["slug"]) == ("reclaim-your-face", "stop-fr")


def test_the_admin_makes_the_slugs_too(client):
    client.force_login(make_user(is_superuser=True))
    campaign = make_campaign()

    response = client.post(
        reverse("admin:outreach_ask_add"),
        {
            "campaign": campaign.pk,
            "title": "Stop FR",
            "slug": "",
            "kind": "statement",
            "signers": "both",
            "language": "en",
            "target_count": "0",
            "first_reminder_after": "5",
            "reminder_every": "7",
            "max_reminders": "2",
            "translations-TOTAL_FORMS": "0",
            "translations-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Ask.objects.get().slug == "stop-fr"


def test_when_another_save_takes_the_slug_first_it_takes_the_next_one(monkeypatch):
    # As if someone else saved "Stop FR" between choosing the slug and inserting the row.
    make_ask(slug="stop-fr")
    choices = iter(["stop-fr", "stop-fr-2"])
    monkeypatch.setattr(Ask, "_free_slug", lambda self: next(choices))

    ask = Ask.objects.create(campaign=make_campaign(), title="Stop FR")

    assert ask.slug == "stop-fr-2"
    assert Ask.objects.filter(slug__startswith="stop-fr").count() == 2


def test_a_refused_edit_with_a_blank_slug_still_links_to_the_ask(staff_client):
    ask = make_ask(title="Stop FR", slug="stop-fr")

    response = staff_client.post(
        reverse("outreach:ask-update", args=[ask.slug]),
        _ask_form(ask.campaign, title="", slug=""),
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Edit “Stop FR”" in page
    assert reverse("outreach:ask-detail", args=["stop-fr"]) in page


def test_clearing_the_slug_on_an_edit_makes_it_again_from_the_title(staff_client):
    ask = make_ask(title="Stop FR", slug="old-name")

    staff_client.post(
        reverse("outreach:ask-update", args=[ask.slug]),
        _ask_form(ask.campaign, title="Stop facial recognition", slug=""),
    )

    ask.refresh_from_db()
    assert ask.slug == "stop-facial-recognition"
