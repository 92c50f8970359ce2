import datetime
import json
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.utils import timezone

from crm.roles import CAMPAIGNER, COORDINATOR, VIEWER
from outreach.models import Campaign, Outreach
from outreach.rollups import rollup_rebuild

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "coalition-demo"
# The fixture's first campaign tells whether the demo coalition is already loaded.
DEMO_CAMPAIGN_SLUG = "ban-biometric-mass-surveillance"
FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "demo_coalition.json"
# The day the fixture was written for (fixtures/build_demo.py, TODAY).
FIXTURE_TODAY = datetime.date(2026, 11, 23)


def fixture_rows():
    """{model: [pks]} of the rows the demo fixture holds."""
    rows = {}
    for row in json.loads(FIXTURE.read_text(encoding="utf-8")):
        rows.setdefault(apps.get_model(row["model"]), []).append(row["pk"])
    return rows


@transaction.atomic
def demo_move_to(today):
    """Move every date and time of the demo's rows by as many days as `today` is after
    the fixture's own today, so the coalition is at work now: its asks as far along,
    its follow-ups as due. Only the fixture's rows move. Returns the shift in days."""
    shift = datetime.timedelta(days=(today - FIXTURE_TODAY).days)
    if not shift:
        return 0
    for model, pks in fixture_rows().items():
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.DateField | models.DateTimeField)
        ]
        if not names:
            continue
        objects = list(model.objects.filter(pk__in=pks))
        for obj in objects:
            for name in names:
                value = getattr(obj, name)
                if value is not None:
                    setattr(obj, name, value + shift)
        # Past save(): the audit trail records what people did, and this is the fixture.
        models.QuerySet(model).bulk_update(objects, names, batch_size=500)
    return shift.days


class Command(BaseCommand):
    help = (
        "Loads the fictional demo coalition (once) and makes sure the demo staff login "
        "exists. Refuses to run with DEBUG off, so a production site never gets the "
        "known demo password."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reload", action="store_true", help="Load the fixture again even if present."
        )

    def handle(self, *args, reload=False, **options):
        if not settings.DEBUG:
            raise CommandError("demo_setup is for laptops: set DEBUG=1 to use it.")
        user = self._demo_user()
        if reload or not Campaign.objects.filter(slug=DEMO_CAMPAIGN_SLUG).exists():
            call_command("loaddata", "demo_coalition", verbosity=0)
            # The fixture holds no users; the demo login owns its entries, so that
            # "your follow-ups" shows work.
            Outreach.objects.filter(owner__isnull=True).update(owner=user)
            days = demo_move_to(timezone.localdate())
            rollup_rebuild()  # loaded and moved past the services
            self.stdout.write(
                f"Loaded the demo coalition, its dates moved on {days} days to today."
            )
        for role in (COORDINATOR, CAMPAIGNER, VIEWER):
            self._role_user(role)
        self.stdout.write(
            self.style.SUCCESS(f"Demo login — username: {DEMO_USERNAME}  password: {DEMO_PASSWORD}")
        )
        self.stdout.write(
            "To try the roles, sign in as coordinator, campaigner or viewer with the same password."
        )

    def _role_user(self, role):
        user, created = get_user_model().objects.get_or_create(
            username=role, defaults={"first_name": role.title(), "is_staff": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=role))

    def _demo_user(self):
        user, created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={
                "first_name": "Demo",
                "last_name": "Coordinator",
                "email": "demo@coalition.example",
                "is_staff": True,
                "is_superuser": True,
            },
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save()
        return user
