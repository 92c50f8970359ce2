"""Sign-in protection: lockout per (account, address) and per address, a slower limit per
account that a valid second step passes, logs without passwords."""

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


def test_failures_from_one_address_lock_that_address_out_of_the_account(client, settings):
    make_user("ines")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "ines", f"wrong-{attempt}")

    response = _sign_in(client, "ines", "pw")

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_a_strangers_failures_do_not_lock_the_owner_out_from_elsewhere(client, settings):
    """The attack: five wrong passwords from one address locked the account for everyone."""
    make_user("ines")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "ines", f"wrong-{attempt}", address="198.51.100.66")

    assert _sign_in(client, "ines", "pw", address="192.0.2.10").status_code == 302


def test_guesses_spread_over_many_addresses_stop_the_password_alone(client, settings):
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 6
    make_user("ines")
    for attempt in range(settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT):
        _sign_in(client, "ines", "wrong", address=f"198.51.100.{attempt}")

    response = _sign_in(client, "ines", "pw", address="192.0.2.10")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_correct_password_with_a_valid_code_is_never_stopped_by_the_account_limit(
    client, settings
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 6
    user = make_user("ines")
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    for attempt in range(settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT):
        _sign_in(client, "ines", "wrong", address=f"198.51.100.{attempt}")

    response = _sign_in(client, "ines", "pw", address="192.0.2.10")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two-step-code"))


def test_an_address_locks_after_repeated_failures_on_any_accounts(client, settings):
    make_user("ines")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, f"guess-{attempt}", "wrong")

    assert _sign_in(client, "ines", "pw").status_code == 429
    assert _sign_in(client, "ines", "pw", address="192.0.2.1").status_code == 302


def test_the_admin_signs_in_through_the_staff_sign_in_page(client):
    """One door: its lockouts and two steps cannot be walked around through /admin/."""
    make_user("ines", is_superuser=True)

    response = client.post(reverse("admin:login"), {"username": "ines", "password": "pw"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_sign_ins_and_failures_are_logged_without_passwords(client, caplog):
    make_user("ines")
    with caplog.at_level(logging.INFO, logger="coalition.signin"):
        _sign_in(client, "ines", "hunter2-secret")
        _sign_in(client, "ines", "pw")

    messages = [(r.getMessage(), getattr(r, "username", None)) for r in caplog.records]
    assert ("failed sign-in", "ines") in messages
    assert ("sign-in", "ines") in messages
    assert "hunter2-secret" not in caplog.text
