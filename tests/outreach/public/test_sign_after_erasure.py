"""A person erased on request who signs again on the public form: the new signature is
theirs, so it is kept, but it waits for staff to check and staff are told."""

import pytest

from crm.models import Contact, Suppression
from crm.privacy import subject_erase
from outreach.models import Activity, Signature
from outreach.services import SIGNED_AFTER_ERASURE
from tests.outreach.public.conftest import sign_and_confirm

pytestmark = pytest.mark.django_db


def test_signing_again_after_erasure_is_held_for_staff_and_flagged(client, ask):
    sign_and_confirm(client, ask, public="on")
    subject_erase(contact=Contact.objects.get(email="ana@example.org"))

    sign_and_confirm(client, ask, public="on")

    signature = Signature.objects.get(contact__email="ana@example.org")
    assert (signature.status, signature.awaiting_verification) == ("confirmed", True)
    assert not Signature.objects.for_public_listing().filter(pk=signature.pk).exists()
    note = Activity.objects.get(contact=signature.contact, kind="note")
    assert note.summary == SIGNED_AFTER_ERASURE
    assert Suppression.objects.get().matches == 1


def test_signing_without_erasure_is_not_flagged(client, ask):
    sign_and_confirm(client, ask, public="on")

    signature = Signature.objects.get()
    assert signature.awaiting_verification is False
    assert not Activity.objects.filter(kind="note").exists()
