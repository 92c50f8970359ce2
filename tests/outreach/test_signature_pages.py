"""Staff signatures page of an ask: filters, verification queue, edits with reasons,
withdrawal, export, snapshots, and the warning before editing a signed text."""

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from outreach.models import DeliverySnapshot, Signature, StatementVersion
from outreach.services import statement_version_current
from tests.factories import make_ask, make_organisation, make_signature, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def ask(db):
    return make_ask(title="Ban biometric surveillance", is_published=True)


def list_url(ask, query=""):
    return f"/asks/{ask.pk}/signatures/{query}"


def test_it_requires_staff(client, ask):
    assert client.get(list_url(ask)).status_code == 302
    client.force_login(make_user("outsider", is_staff=False))
    assert client.get(list_url(ask)).status_code == 403
    signature = make_signature(ask)
    assert client.post(f"/signatures/{signature.pk}/verify/").status_code == 403


def test_it_filters_by_status_kind_country_source_and_public(staff_client, ask):
    make_signature(ask, name="Org NL", organisation=True, country="NL")
    make_signature(ask, name="Person DE", country="DE", public=False)
    make_signature(ask, name="Pending Person", status="pending")

    def names(query):
        return sorted(
            s.display_name for s in staff_client.get(list_url(ask, query)).context["object_list"]
        )

    assert names("") == ["Org NL", "Pending Person", "Person DE"]
    assert names("?status=pending") == ["Pending Person"]
    assert names("?kind=organisation") == ["Org NL"]
    assert names("?country=DE") == ["Person DE"]
    assert names("?public=false") == ["Person DE"]
    assert names("?source=public_form") == []
    assert names("?q=person") == ["Pending Person", "Person DE"]


def test_the_list_takes_the_same_queries_for_3_or_30_rows(staff_client, ask):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(list_url(ask)).status_code == 200
        return len(captured)

    for _ in range(3):
        make_signature(ask, organisation=True, awaiting_verification=True)
    few = count()
    for _ in range(27):
        make_signature(ask, organisation=True, awaiting_verification=True)
    assert count() == few


def test_the_verification_queue_shows_hints_and_verifying_lists(staff_client, ask):
    organisation = make_organisation("Watchers", website="https://watchers.example")
    signature = make_signature(
        ask, name="Watchers", awaiting_verification=True, email="a@watchers.example"
    )
    Signature.objects.filter(pk=signature.pk).update(organisation=organisation)

    page = staff_client.get(list_url(ask, "?awaiting_verification=true")).content.decode()
    assert "e-mail domain matches the website" in page
    assert "not a known contact of the organisation" in page

    response = staff_client.post(f"/signatures/{signature.pk}/verify/")

    assert response.status_code == 302
    signature.refresh_from_db()
    assert not signature.awaiting_verification and signature.verified_by is not None
    assert "Watchers" in Client().get(f"/s/{ask.slug}/").content.decode()


def test_rejecting_needs_a_reason_and_keeps_it(staff_client, ask):
    signature = make_signature(ask, organisation=True, awaiting_verification=True)

    assert (
        staff_client.post(f"/signatures/{signature.pk}/reject/", {"reason": ""}).status_code == 200
    )
    staff_client.post(f"/signatures/{signature.pk}/reject/", {"reason": "Not a real group"})

    signature.refresh_from_db()
    assert signature.status == Signature.Status.REJECTED
    assert signature.status_reason == "Not a real group"


def test_changing_public_listing_needs_a_reason_recorded_in_history(staff_client, ask, staff):
    signature = make_signature(ask, name="Ana Listed")
    url = f"/signatures/{signature.pk}/edit/"

    refused = staff_client.post(url, {"display_name": "Ana Listed", "reason": ""})
    assert refused.status_code == 200
    assert "Give a reason" in refused.content.decode()
    assert Signature.objects.get().public is True

    staff_client.post(url, {"display_name": "Ana L.", "reason": "Asked by phone, 3 Nov"})

    signature.refresh_from_db()
    assert (signature.display_name, signature.public) == ("Ana L.", False)
    latest = signature.history.latest()
    assert latest.history_change_reason == "Asked by phone, 3 Nov"
    assert latest.history_user == staff


def test_staff_withdraw_records_who_and_why(staff_client, ask, staff):
    signature = make_signature(ask)

    staff_client.post(f"/signatures/{signature.pk}/withdraw/", {"reason": "Organisation asked"})

    signature.refresh_from_db()
    assert signature.status == Signature.Status.WITHDRAWN
    assert signature.withdrawn_by == staff
    assert signature.status_reason == "Organisation asked"


def test_the_export_follows_the_filters_and_neutralises_formulas(staff_client, ask):
    make_signature(ask, name="=cmd|' /C calc'!A0", country="NL")
    make_signature(ask, name="Other", country="DE")

    response = staff_client.get(list_url(ask, "?country=NL&export=csv"))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "name as published"
    assert [row[0] for row in rows[1:]] == ["'=cmd|' /C calc'!A0"]


def test_a_snapshot_freezes_text_and_public_list(staff_client, ask):
    make_signature(ask, name="Early Org", organisation=True)
    make_signature(ask, name="Hidden Person", public=False)

    response = staff_client.post(
        f"/asks/{ask.pk}/snapshots/", {"as_of": "2099-01-01", "language": ask.language}
    )
    snapshot = DeliverySnapshot.objects.get()
    make_signature(ask, name="Later Person")
    ask.statement = "Changed text"
    ask.save()

    assert response.status_code == 302
    assert [row["name"] for row in snapshot.rows] == ["Early Org"]
    assert (snapshot.organisation_count, snapshot.individual_count) == (1, 1)
    page = staff_client.get(f"/snapshots/{snapshot.pk}/").content.decode()
    assert "Early Org" in page and "Later Person" not in page and "Hidden Person" not in page
    exported = staff_client.get(f"/snapshots/{snapshot.pk}/?format=csv").content.decode("utf-8-sig")
    assert exported.splitlines()[1].startswith("Early Org,organisation")
    assert Client().get(f"/snapshots/{snapshot.pk}/").status_code == 302  # not public


def test_a_changed_text_is_a_new_version_and_old_signatures_keep_theirs(ask):
    first = statement_version_current(ask=ask, language="en")
    assert statement_version_current(ask=ask, language="en") == first

    ask.statement = "A sharper demand."
    ask.save()
    second = statement_version_current(ask=ask, language="en")

    assert (first.number, second.number) == (1, 2)
    assert StatementVersion.objects.count() == 2


def test_editing_a_signed_text_in_the_admin_asks_for_acknowledgement(client, superuser, ask):
    signature = make_signature(ask)
    signature.statement_version = statement_version_current(ask=ask, language="en")
    signature.save()
    client.force_login(superuser)
    url = f"/admin/outreach/ask/{ask.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update(
        {
            "campaign": ask.campaign_id,
            "statement": "New words",
            "translations-TOTAL_FORMS": "0",
            "translations-INITIAL_FORMS": "0",
        }
    )
    data.pop("acknowledge_new_version", None)

    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "1 signature(s) were given on the current text" in refused.content.decode()
    ask.refresh_from_db()
    assert ask.statement != "New words"

    data["acknowledge_new_version"] = "on"
    assert client.post(url, data).status_code == 302
    ask.refresh_from_db()
    assert ask.statement == "New words"


def test_editing_a_signed_translation_asks_for_acknowledgement(client, superuser, ask):
    from outreach.models import AskTranslation

    translation = AskTranslation.objects.create(ask=ask, language="nl", title="T", statement="S")
    signature = make_signature(ask)
    signature.statement_version = statement_version_current(ask=ask, language="nl")
    signature.save()
    client.force_login(superuser)
    url = f"/admin/outreach/asktranslation/{translation.pk}/change/"
    data = {"ask": ask.pk, "language": "nl", "title": "T", "statement": "Nieuwe tekst"}

    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "were given on the current text" in refused.content.decode()

    assert client.post(url, {**data, "acknowledge_new_version": "on"}).status_code == 302
    translation.refresh_from_db()
    assert translation.statement == "Nieuwe tekst"
