"""python manage.py apply_retention [--dry-run] [--days N] [--today YYYY-MM-DD]

Anonymise contacts with no activity, signature or consent for RETENTION_DAYS
(crm.privacy.retention_due)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm.privacy import contacts_apply_retention


class Command(BaseCommand):
    help = "Anonymise contacts with no activity, signature or consent for the retention period."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list, change nothing")
        parser.add_argument("--days", type=int, help="retention period (default RETENTION_DAYS)")
        parser.add_argument("--today", help="count the period back from this day (YYYY-MM-DD)")

    def handle(self, *args, dry_run, days, today, **options):
        now = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError as error:
                raise CommandError(f"--today: {error}; give a day like 2026-11-26.") from error
            now = timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))
        ids = contacts_apply_retention(now=now, days=days, dry_run=dry_run)
        verb = "would be anonymised" if dry_run else "anonymised"
        self.stdout.write(f"{len(ids)} contact(s) {verb}.")
        for pk in ids:
            self.stdout.write(f"  contact {pk}")
