"""The demo coalition: loads cleanly, shows every stage, and loading it twice changes nothing."""

import hashlib
import unicodedata

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError

from crm.models import Contact, Organisation
from outreach.models import Ask, Outreach, Signature, Stage

pytestmark = pytest.mark.django_db

DEMO_MODELS = [m for app in ("crm", "outreach") for m in apps.get_app_config(app).get_models()]


def _snapshot():
    """Row counts and a digest of every row of the demo's tables."""
    return {
        model._meta.label: (
            model.objects.count(),
            hashlib.sha256(
                serializers.serialize("json", model.objects.order_by("pk")).encode()
            ).hexdigest(),
        )
        for model in DEMO_MODELS
    }


def test_the_demo_is_a_coalition_worth_looking_at_and_loads_twice_unchanged():
    call_command("loaddata", "demo_coalition", verbosity=0)

    assert 120 <= Organisation.objects.count() <= 200
    assert Organisation.objects.values("country").distinct().count() >= 25
    assert 250 <= Contact.objects.count() <= 350
    assert Ask.objects.count() == 3
    assert Ask.objects.filter(translations__language__in=["nl", "ja"]).distinct().count() >= 1
    assert set(Outreach.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert 150 <= Signature.objects.count() <= 250
    names = "".join(
        first + last for first, last in Contact.objects.values_list("first_name", "last_name")
    )
    scripts = {unicodedata.name(ch, "").split(" ")[0] for ch in names if not ch.isascii()}
    assert {"LATIN", "GREEK", "CYRILLIC", "CJK", "ARABIC"} <= scripts

    first = _snapshot()
    call_command("loaddata", "demo_coalition", verbosity=0)
    assert _snapshot() == first


def test_demo_setup_makes_the_demo_login_and_is_idempotent(settings, capsys):
    settings.DEBUG = True
    call_command("demo_setup")
    first = _snapshot()
    call_command("demo_setup")

    assert _snapshot() == first
    assert "username: demo" in capsys.readouterr().out
    demo = get_user_model().objects.get(username="demo")
    assert demo.is_staff
    assert demo.check_password("coalition-demo")
    assert Outreach.objects.filter(owner=demo).exists()


def test_demo_setup_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_setup")
