import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from outreach.services import signature_purge_unconfirmed


class Command(BaseCommand):
    help = (
        "Forget public sign-ups never confirmed within --days days (default 30), with the "
        "contacts and organisations the form created for them. Run it daily (cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, days, **options):
        purged = signature_purge_unconfirmed(
            older_than=timezone.now() - datetime.timedelta(days=days)
        )
        self.stdout.write(
            f"Forgot {purged.signatures} unconfirmed signature(s), {purged.contacts} "
            f"contact(s) and {purged.organisations} organisation(s)."
        )
