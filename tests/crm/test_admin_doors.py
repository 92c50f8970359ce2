"""The admin writes through the same services as the pages: a consent withdrawn in the
admin delists signatures as the contact's page does, a withdrawn consent is kept as it
was, a primary affiliation takes the flag off the old one, and saved records name the
admin in their history."""

import pytest
from django.contrib.admin.widgets import AdminSplitDateTime
from django.urls import reverse
from django.utils import timezone

from crm.models import Affiliation, ConsentRecord, Contact, Organisation, Tag
from crm.services import LISTING_CONSENT_WITHDRAWN, WITHDRAWN_IS_KEPT
from outreach.models import Signature
from tests.factories import make_ask, make_contact, make_organisation, make_signature

pytestmark = pytest.mark.django_db


def _put(data, bound):
    value = bound.value()
    if isinstance(bound.field.widget, AdminSplitDateTime):
        parts = bound.field.widget.decompress(value) if value else ["", ""]
        for i, part in enumerate(parts):
            data[f"{bound.html_name}_{i}"] = part.isoformat() if part else ""
    elif isinstance(value, bool):
        if value:
            data[bound.html_name] = "on"
    elif isinstance(value, (list, tuple)):
        data[bound.html_name] = [str(v.pk if hasattr(v, "pk") else v) for v in value]
    elif value is not None:
        data[bound.html_name] = str(value)


def page_data(client, url):
    """The admin page's form as a browser sends it back untouched (inlines included)."""
    context = client.get(url).context
    data = {}
    forms = [context["adminform"].form]
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        for bound in formset.management_form:
            data[bound.html_name] = str(bound.value())
        forms += formset.forms
    for form in forms:
        for bound in form:
            _put(data, bound)
    return data


@pytest.fixture
def listed(db):
    """A person listed publicly on a published ask under their listing consent."""
    ask = make_ask(is_published=True)
    signature = make_signature(ask, name="Noor Haddad")
    consent = ConsentRecord.objects.create(
        contact=signature.contact,
        purpose=ConsentRecord.Purpose.PUBLIC_LISTING,
        given_at=timezone.now() - timezone.timedelta(days=3),
    )
    Signature.objects.filter(pk=signature.pk).update(listing_consent=consent)
    return signature, consent


def assert_delisted(client, signature, by):
    signature.refresh_from_db()
    assert (signature.public, signature.status) == (False, "confirmed")
    latest = signature.history.latest()
    assert latest.history_change_reason == LISTING_CONSENT_WITHDRAWN
    assert latest.history_user == by
    assert "Noor Haddad" not in client.get(f"/s/{signature.ask.slug}/").content.decode()


def test_withdrawing_a_listing_consent_in_the_admin_takes_the_signature_off_lists(
    client, superuser, listed
):
    signature, consent = listed
    client.force_login(superuser)
    url = reverse("admin:crm_consentrecord_change", args=[consent.pk])
    data = page_data(client, url)
    data["withdrawn_at_0"], data["withdrawn_at_1"] = timezone.localdate().isoformat(), "00:00"

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert_delisted(client, signature, superuser)


def test_withdrawing_a_listing_consent_in_the_contacts_inline_takes_it_off_lists(
    client, superuser, listed
):
    signature, consent = listed
    client.force_login(superuser)
    url = reverse("admin:crm_contact_change", args=[signature.contact_id])
    data = page_data(client, url)
    data["consents-0-withdrawn_at_0"] = timezone.localdate().isoformat()
    data["consents-0-withdrawn_at_1"] = "00:00"

    response = client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    assert_delisted(client, signature, superuser)


def test_a_withdrawn_consent_is_kept_as_it_was_in_the_admin(client, superuser, listed):
    _, consent = listed
    ConsentRecord.objects.filter(pk=consent.pk).update(withdrawn_at=timezone.now())
    client.force_login(superuser)
    url = reverse("admin:crm_consentrecord_change", args=[consent.pk])
    data = page_data(client, url)
    data["withdrawn_at_0"], data["withdrawn_at_1"] = "", ""

    response = client.post(url, data)

    assert response.status_code == 200
    assert WITHDRAWN_IS_KEPT in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_a_consent_added_in_the_admin_names_the_admin(client, superuser):
    contact = make_contact()
    client.force_login(superuser)
    url = reverse("admin:crm_consentrecord_add")
    data = page_data(client, url)
    data.update(
        contact=contact.pk,
        purpose="outreach",
        lawful_basis="consent",
        given_at_0=timezone.localdate().isoformat(),
        given_at_1="09:00",
        source="Paper form",
    )

    assert client.post(url, data).status_code == 302
    consent = ConsentRecord.objects.get(contact=contact)
    assert consent.history.latest().history_user == superuser


def test_a_primary_affiliation_added_in_the_admin_takes_the_flag_off_the_old_one(client, superuser):
    contact = make_contact()
    old = Affiliation.objects.create(
        contact=contact, organisation=make_organisation("Old home"), is_primary=True
    )
    new_home = make_organisation("New home")
    client.force_login(superuser)
    url = reverse("admin:crm_affiliation_add")
    data = page_data(client, url)
    data.update(contact=contact.pk, organisation=new_home.pk, is_primary="on")

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    old.refresh_from_db()
    assert not old.is_primary
    assert Affiliation.objects.get(organisation=new_home).is_primary
    assert old.history.latest().history_user == superuser


def test_a_primary_affiliation_in_the_contacts_inline_takes_the_flag_off_the_old_one(
    client, superuser
):
    contact = make_contact()
    old = Affiliation.objects.create(
        contact=contact, organisation=make_organisation("Old home"), is_primary=True
    )
    new_home = make_organisation("New home")
    client.force_login(superuser)
    url = reverse("admin:crm_contact_change", args=[contact.pk])
    data = page_data(client, url)
    data.update(
        {
            "affiliations-TOTAL_FORMS": "2",
            "affiliations-1-organisation": str(new_home.pk),
            "affiliations-1-is_primary": "on",
            "affiliations-1-contact": str(contact.pk),
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    old.refresh_from_db()
    assert not old.is_primary
    assert list(contact.affiliations.filter(is_primary=True)) == [
        Affiliation.objects.get(organisation=new_home)
    ]


def test_an_affiliation_ending_before_it_starts_is_refused_in_the_admin(client, superuser):
    contact, home = make_contact(), make_organisation()
    client.force_login(superuser)
    url = reverse("admin:crm_affiliation_add")
    data = page_data(client, url)
    data.update(
        contact=contact.pk, organisation=home.pk, started_on="2026-05-01", ended_on="2026-04-01"
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert "An affiliation cannot end before it starts." in response.content.decode()
    assert not Affiliation.objects.exists()


@pytest.mark.parametrize("model", [Organisation, Contact])
def test_a_record_saved_in_the_admin_names_the_admin_and_keeps_its_tags(client, superuser, model):
    record = make_organisation() if model is Organisation else make_contact()
    tag = Tag.objects.create(name="press")
    client.force_login(superuser)
    url = reverse(f"admin:crm_{model._meta.model_name}_change", args=[record.pk])
    data = page_data(client, url)
    data["notes"] = "Met at the summit."
    data["tags"] = [str(tag.pk)]

    response = client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    record.refresh_from_db()
    assert record.notes == "Met at the summit."
    assert list(record.tags.all()) == [tag]
    assert record.history.latest().history_user == superuser
