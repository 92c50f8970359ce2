"""API tokens on the profile page: named, shown once, stored hashed, revocable."""

import re

import pytest
from django.urls import reverse

from accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def _create(client, name="Mailing tool sync", password="pw", **extra):
    return client.post(
        reverse("accounts:profile"),
        {"name": name, "lifetime_days": "90", "password": password, **extra},
    )


def test_a_new_token_is_shown_once_and_stored_only_as_a_hash(staff_client, staff):
    response = _create(staff_client)

    token = re.search(r'data-testid="new-token">([^<]+)<', response.content.decode()).group(1)
    record = ApiToken.objects.get(user=staff)
    assert record.name == "Mailing tool sync"
    assert token not in {record.digest, record.token_key}
    assert record.token_key == token[: len(record.token_key)]
    assert token not in staff_client.get(reverse("accounts:profile")).content.decode()


def test_a_token_can_ask_for_double_opt_in_and_does_not_by_default(staff_client, staff):
    _create(staff_client, name="Website form")
    _create(staff_client, name="Unconfirmed sign-ups", double_opt_in="on")

    settings = dict(ApiToken.objects.values_list("name", "double_opt_in"))
    assert settings == {"Website form": False, "Unconfirmed sign-ups": True}


def test_the_token_works_for_the_api_until_it_is_revoked(staff_client, client, staff):
    response = _create(staff_client)
    token = re.search(r'data-testid="new-token">([^<]+)<', response.content.decode()).group(1)
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    assert client.get("/api/v1/tags/", **auth).status_code == 200

    key = ApiToken.objects.get().token_key
    staff_client.post(reverse("accounts:token-revoke", args=[key]))

    assert not ApiToken.objects.exists()
    assert client.get("/api/v1/tags/", **auth).status_code == 401


def test_creating_a_token_needs_your_password(staff_client):
    response = _create(staff_client, password="not-mine")

    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_guessing_the_password_for_a_token_locks_out_like_a_sign_in(staff_client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _create(staff_client, password="guess")

    response = _create(staff_client, password="pw")

    assert response.status_code == 429
    assert not ApiToken.objects.exists()


def test_nobody_revokes_someone_elses_token(staff_client, django_user_model):
    from accounts.services import api_token_create

    other = django_user_model.objects.create_user("other", password="pw", is_staff=True)
    record, _ = api_token_create(user=other, name="theirs")

    staff_client.post(reverse("accounts:token-revoke", args=[record.token_key]))

    assert ApiToken.objects.filter(pk=record.pk).exists()
