"""Every model has a working admin page for administrators."""

import pytest
from django.contrib import admin
from django.urls import reverse

from outreach.models import Activity, Outreach, Signature, Stage
from tests.factories import make_ask, make_organisation, make_outreach

pytestmark = pytest.mark.django_db

MODELS = sorted((model._meta.app_label, model._meta.model_name) for model in admin.site._registry)
OUR_APPS = {"crm", "outreach"}
# Written only by the import or a merge itself: the admin shows them but does not add them.
RECORDS_OF_WHAT_HAPPENED = {
    ("crm", "importrecord"),
    ("crm", "importchange"),
    ("crm", "mergedrecord"),
    ("crm", "notduplicate"),
    ("crm", "exportfile"),
    ("outreach", "signaturedailycount"),  # kept by the services (outreach/rollups.py)
    ("outreach", "signaturedailybreakdown"),
}


def test_every_model_of_our_apps_is_in_the_admin():
    from django.apps import apps

    ours = {
        (model._meta.app_label, model._meta.model_name)
        for app in OUR_APPS
        for model in apps.get_app_config(app).get_models()
        if not model._meta.model_name.startswith("historical")
    }
    assert ours <= set(MODELS)


@pytest.mark.parametrize(("app_label", "model_name"), MODELS)
def test_changelist_and_add_pages_answer(client, superuser, app_label, model_name):
    make_outreach(stage=Stage.INVITED)  # so lists have a row to render
    client.force_login(superuser)

    changelist = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    add = client.get(reverse(f"admin:{app_label}_{model_name}_add"))

    assert changelist.status_code == 200
    assert add.status_code in (200, 403)  # 403 only where adding is switched off
    if app_label in OUR_APPS and (app_label, model_name) not in RECORDS_OF_WHAT_HAPPENED:
        assert add.status_code == 200


def test_the_move_action_goes_through_the_pipeline_rules(client, superuser):
    ask = make_ask()
    prospect = make_outreach(ask=ask)
    signed = make_outreach(ask=ask, stage=Stage.SIGNED)
    client.force_login(superuser)

    response = client.post(
        reverse("admin:outreach_outreach_changelist"),
        {"action": "move_to_invited", "_selected_action": [prospect.pk, signed.pk]},
        follow=True,
    )

    prospect.refresh_from_db()
    signed.refresh_from_db()
    assert prospect.stage == Stage.INVITED
    assert signed.stage == Stage.SIGNED
    assert "cannot move to “Invited”" in response.content.decode()
    assert Activity.objects.filter(outreach=prospect, actor=superuser).exists()


def test_adding_a_signature_in_the_admin_records_it_through_the_service(client, superuser):
    entry = make_outreach(stage=Stage.INVITED, organisation=make_organisation(name="Lighthouse"))
    client.force_login(superuser)

    response = client.post(
        reverse("admin:outreach_signature_add"),
        {
            "ask": entry.ask.pk,
            "organisation": entry.organisation.pk,
            "display_name": "Lighthouse",
            "signed_at_0": "2026-11-02",
            "signed_at_1": "10:00:00",
            "source": "staff",
            "status": "confirmed",
            "public": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Signature.objects.get().display_name == "Lighthouse"
    entry.refresh_from_db()
    assert entry.stage == Stage.SIGNED
    assert Outreach.history.filter(id=entry.pk, history_user=superuser).exists()


def test_the_move_action_reports_like_the_pipeline_tables_bulk_move(client, superuser):
    ask = make_ask()
    prospect = make_outreach(ask=ask)
    invited = make_outreach(ask=ask, stage=Stage.INVITED)
    signed = make_outreach(ask=ask, stage=Stage.SIGNED, organisation=make_organisation("Kite"))
    client.force_login(superuser)

    response = client.post(
        reverse("admin:outreach_outreach_changelist"),
        {"action": "move_to_invited", "_selected_action": [prospect.pk, invited.pk, signed.pk]},
        follow=True,
    )

    shown = [str(m) for m in response.context["messages"]]
    assert shown[0] == "1 moved to “Invited”, 1 already there."
    assert shown[1].startswith("Not moved — Kite: ")
    assert not Activity.objects.filter(outreach=invited).exists()
