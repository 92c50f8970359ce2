"""Twenty people pressing "Sign" at once with the same e-mail end with one signature."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client, override_settings

from crm.models import Contact
from outreach import challenge
from outreach.models import Signature
from tests.factories import make_ask

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs real concurrent transactions (run with DATABASE_URL=postgres://...)",
    ),
]


@override_settings(PUBLIC_SIGN_RATE_PER_IP="100/60", PUBLIC_SIGN_RATE_PER_EMAIL="100/60")
@pytest.mark.parametrize("signing_as", ["individual", "organisation"])
def test_twenty_threads_signing_with_one_e_mail_leave_one_signature(signing_as):
    ask = make_ask(is_published=True)

    def sign(n):
        try:
            response = Client().post(
                f"/s/{ask.slug}/en/sign/",
                {
                    "signing_as": signing_as,
                    "organisation_name": "Concurrent Collective",
                    "name": f"Same Person {n}",
                    "email": "Same.Person@Example.org",
                    "public": "on",
                    "started": challenge.issue(at=time.time() - 60),
                },
                follow=True,
            )
            return response.status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(sign, range(20)))

    assert statuses == [200] * 20, statuses
    assert Signature.objects.filter(ask=ask).count() == 1
    assert Contact.objects.filter(email="same.person@example.org").count() == 1


@override_settings(PUBLIC_SIGN_RATE_PER_IP="100/60", PUBLIC_SIGN_RATE_PER_EMAIL="100/60")
def test_forty_different_people_signing_at_once_all_get_a_signature():
    """No lock on the ask: forty sign-ups at once each end with their own signature."""
    ask = make_ask(is_published=True)

    def sign(n):
        try:
            response = Client().post(
                f"/s/{ask.slug}/en/sign/",
                {
                    "signing_as": "individual",
                    "name": f"Person {n}",
                    "email": f"person{n}@example.org",
                    "public": "on",
                    "started": challenge.issue(at=time.time() - 60),
                },
                follow=True,
            )
            return response.status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(sign, range(40)))

    assert statuses == [200] * 40, statuses
    assert Signature.objects.filter(ask=ask).count() == 40
    assert Contact.objects.filter(email__startswith="person").count() == 40
