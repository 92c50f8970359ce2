"""The demo coalition: loads cleanly, shows every stage, and loading it twice changes nothing."""

import datetime
import hashlib
import unicodedata

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Max
from django.utils import timezone

from crm.models import Contact, Organisation
from outreach.management.commands.demo_setup import FIXTURE_TODAY, demo_move_to
from outreach.models import Activity, Ask, Outreach, Signature, Stage

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


# --- A coalition at work today --------------------------------------------------------------


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("demo_setup", verbosity=0)
    return get_user_model().objects.get(username="demo")


def test_the_demo_is_dated_up_to_today_whenever_it_is_loaded(demo):
    today = timezone.localdate()
    last_activity = Activity.objects.aggregate(last=Max("occurred_at"))["last"]

    assert timezone.localdate(last_activity) in (today - datetime.timedelta(days=1), today)
    assert not Activity.objects.filter(occurred_at__gt=timezone.now()).exists()
    assert not Signature.objects.filter(signed_at__gt=timezone.now()).exists()
    newest = Ask.objects.order_by("-opens_on").first()
    assert newest.opens_on == today - datetime.timedelta(days=7)  # a week into it
    assert Outreach.objects.filter(ask=newest, stage=Stage.INVITED).count() >= 30


def test_the_demo_login_has_only_a_handful_of_follow_ups_overdue(demo, client):
    today = timezone.localdate()
    mine = Outreach.objects.filter(owner=demo).follow_ups_due_by(today)

    assert 1 <= mine.filter(next_follow_up_on__lt=today).count() <= 6
    client.force_login(demo)
    assert client.get("/follow-ups/").status_code == 200


def test_the_demo_dates_move_by_whole_days_from_the_fixtures_today(settings):
    call_command("loaddata", "demo_coalition", verbosity=0)
    ask = Ask.objects.get(slug="open-internet-access-for-everyone")
    entry = Outreach.objects.exclude(next_follow_up_on=None).order_by("pk").first()
    mine = Organisation.objects.create(name="Not in the demo")
    created = mine.created_at

    days = demo_move_to(FIXTURE_TODAY + datetime.timedelta(days=30))

    assert days == 30
    moved = Ask.objects.get(pk=ask.pk)
    assert moved.opens_on == ask.opens_on + datetime.timedelta(days=30)
    assert moved.created_at == ask.created_at + datetime.timedelta(days=30)
    entry_after = Outreach.objects.get(pk=entry.pk)
    assert entry_after.next_follow_up_on == entry.next_follow_up_on + datetime.timedelta(days=30)
    mine.refresh_from_db()
    assert mine.created_at == created


def test_the_duplicates_pages_of_the_demo_list_at_least_three_pairs_each(demo, client):
    client.force_login(demo)

    for kind in ("organisations", "contacts"):
        response = client.get(f"/duplicates/{kind}/")
        assert response.status_code == 200
        assert response.context["pair_count"] >= 3, kind
