"""Attack: write the same address with a full-width domain (name@ｅｘａｍｐｌｅ.org) to make a
second contact and a second live signature, slip past the per-e-mail rate limit and the
erasure suppression. Every door compares addresses through crm.text.normalise_email
(NFKC, lower case, IDNA domain), so it is one address everywhere."""

import pytest

from crm.models import Contact
from crm.privacy import is_suppressed, subject_erase
from crm.text import normalise_email
from outreach.models import Signature
from tests.factories import make_ask
from tests.outreach.public.conftest import sign, sign_and_confirm

pytestmark = pytest.mark.django_db

FULL_WIDTH = "ana@ｅｘａｍｐｌｅ.org"


@pytest.fixture
def ask(db):
    return make_ask(slug="stop-frt", is_published=True)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (FULL_WIDTH, "ana@example.org"),
        ("ＡＮＡ＠Example.ORG", "ana@example.org"),
        ("zoë@BÜCHER.example", "zoë@bücher.example"),
        ("zoë@xn--bcher-kva.example", "zoë@bücher.example"),
        ("  Ana@Example.org\u00a0", "ana@example.org"),
    ],
)
def test_an_address_has_one_spelling(typed, stored):
    assert normalise_email(typed) == stored


def test_a_full_width_domain_makes_no_second_contact_or_signature(client, ask):
    sign_and_confirm(client, ask, email="ana@example.org")

    sign_and_confirm(client, ask, email=FULL_WIDTH)

    assert Contact.objects.count() == 1
    assert Signature.objects.live().count() == 1


def test_a_full_width_domain_counts_against_the_same_rate_limit(client, ask, settings):
    settings.PUBLIC_SIGN_RATE_PER_EMAIL = "1/3600"
    sign(client, ask, email="ana@example.org")

    response = sign(client, ask, email=FULL_WIDTH)

    assert response.status_code == 429


def test_an_erased_address_stays_suppressed_in_full_width():
    contact = Contact.objects.create(first_name="Ana", email="ana@example.org")

    subject_erase(contact=contact)

    assert is_suppressed(FULL_WIDTH)


def test_a_contact_saved_with_a_full_width_domain_is_stored_plainly():
    contact = Contact.objects.create(first_name="Ana", email=FULL_WIDTH)

    assert Contact.objects.get(pk=contact.pk).email == "ana@example.org"
