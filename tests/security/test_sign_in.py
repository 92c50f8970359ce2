"""Sign-in protection: lockout per account and per address, logs without passwords."""

import logging

import pytest
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _sign_in(client, username, password, address="203.0.113.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_the_right_password_signs_in(client):
    make_user("ines")
    response = _sign_in(client, "ines", "pw")
    assert response.status_code == 302


def test_an_account_locks_after_repeated_failures_even_with_the_right_password(client, settings):
    make_user("ines")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "ines", f"wrong-{attempt}", address=f"198.51.100.{attempt}")

    response = _sign_in(client, "ines", "pw", address="198.51.100.200")

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_an_address_locks_after_repeated_failures_on_any_accounts(client, settings):
    make_user("ines")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, f"guess-{attempt}", "wrong")

    assert _sign_in(client, "ines", "pw").status_code == 429
    assert _sign_in(client, "ines", "pw", address="192.0.2.1").status_code == 302


def test_the_admin_sign_in_is_protected_too(client, settings):
    make_user("ines", is_superuser=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("admin:login"), {"username": "ines", "password": "x"})

    response = client.post(reverse("admin:login"), {"username": "ines", "password": "pw"})

    assert response.status_code == 429


def test_sign_ins_and_failures_are_logged_without_passwords(client, caplog):
    make_user("ines")
    with caplog.at_level(logging.INFO, logger="coalition.signin"):
        _sign_in(client, "ines", "hunter2-secret")
        _sign_in(client, "ines", "pw")

    messages = [(r.getMessage(), getattr(r, "username", None)) for r in caplog.records]
    assert ("failed sign-in", "ines") in messages
    assert ("sign-in", "ines") in messages
    assert "hunter2-secret" not in caplog.text
