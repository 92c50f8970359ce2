"""Password reset: Django's flow with a one-time link, a rate limit, no telling which
addresses have accounts, and two-step sign-in still asked for afterwards."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def ines():
    user = make_user("ines")
    user.email = "ines@coalition.example"
    user.save()
    return user


def ask_reset(client, email, address="203.0.113.7"):
    return client.post(reverse("password-reset"), {"email": email}, REMOTE_ADDR=address)


def reset_link():
    match = re.search(r"http://testserver(/password-reset/\S+/\S+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def choose(client, password):
    page = client.get(reset_link(), follow=True)  # Django swaps the token for a session
    url = page.redirect_chain[-1][0] if page.redirect_chain else reset_link()
    return client.post(url, {"new_password1": password, "new_password2": password})


def test_the_sign_in_page_links_to_the_reset(client):
    assert reverse("password-reset") in client.get(reverse("login")).content.decode()


def test_a_reset_link_sets_a_new_password_once(client, ines):
    ask_reset(client, "INES@coalition.example ")
    link = reset_link()

    response = choose(client, "a-new-long-passphrase-2026")

    assert response["Location"] == reverse("password-reset-complete")
    ines.refresh_from_db()
    assert ines.check_password("a-new-long-passphrase-2026")
    again = client.get(link, follow=True)
    assert "This link does not work" in again.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, ines):
    known = ask_reset(client, "ines@coalition.example")
    unknown = ask_reset(client, "nobody@coalition.example")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password-reset-done")
    assert len(mail.outbox) == 1


def test_requests_are_rate_limited_per_e_mail_without_saying_so(client, ines, settings):
    settings.PASSWORD_RESET_RATE_PER_EMAIL = "2/3600"
    answers = [
        ask_reset(client, "ines@coalition.example", address=f"198.51.100.{n}") for n in range(4)
    ]

    assert {a["Location"] for a in answers} == {reverse("password-reset-done")}
    assert len(mail.outbox) == 2


def test_requests_are_rate_limited_per_address(client, ines, settings):
    settings.PASSWORD_RESET_RATE_PER_IP = "1/3600"
    ask_reset(client, "someone@coalition.example")

    ask_reset(client, "ines@coalition.example")

    assert mail.outbox == []


def test_a_reset_does_not_skip_two_step_sign_in(client, ines):
    TOTPDevice.objects.create(user=ines, name="Phone", confirmed=True)
    ask_reset(client, "ines@coalition.example")
    choose(client, "a-new-long-passphrase-2026")

    assert "_auth_user_id" not in client.session
    response = client.post(
        reverse("login"), {"username": "ines", "password": "a-new-long-passphrase-2026"}
    )
    assert response["Location"].startswith(reverse("accounts:two-step-code"))
