import datetime
import json
from itertools import groupby

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from outreach.selectors import follow_ups_due
from outreach.services import outreach_close_unanswered


def _day(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--date: “{value}” is not a date in the form YYYY-MM-DD.") from error


def _owner_name(entry):
    return entry.owner.get_username() if entry.owner else ""


class Command(BaseCommand):
    help = (
        "Lists follow-ups due and overdue on a day, per owner, and moves entries past "
        "their last reminder to “no response”. Running it again on the same day changes "
        "nothing more."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", type=_day, help="The day (YYYY-MM-DD); today by default.")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print JSON instead of text."
        )

    def handle(self, *args, date=None, as_json=False, **options):
        day = date or timezone.localdate()
        moved = outreach_close_unanswered(on=day)
        due = list(follow_ups_due(on=day))
        if as_json:
            self.stdout.write(self._as_json(day, due, moved))
        else:
            self._as_text(day, due, moved)

    def _row(self, entry, day):
        return {
            "id": entry.pk,
            "partner": entry.target_name,
            "ask": entry.ask.title,
            "stage": entry.stage,
            "next_follow_up_on": entry.next_follow_up_on.isoformat(),
            "overdue": entry.next_follow_up_on < day,
            "reminders_sent": entry.follow_up_count,
        }

    def _as_json(self, day, due, moved):
        owners = [
            {"owner": owner, "follow_ups": [self._row(e, day) for e in entries]}
            for owner, entries in groupby(due, key=_owner_name)
        ]
        return json.dumps(
            {
                "date": day.isoformat(),
                "owners": owners,
                "moved_to_no_response": [
                    {"id": e.pk, "partner": e.target_name, "ask": e.ask.title} for e in moved
                ],
            },
            indent=2,
            ensure_ascii=False,
        )

    def _as_text(self, day, due, moved):
        out = self.stdout
        out.write(f"Follow-ups due on {day:%Y-%m-%d}: {len(due)}")
        for owner, entries in groupby(due, key=_owner_name):
            out.write(f"\n{owner or '(no owner)'}")
            for entry in entries:
                late = "OVERDUE " if entry.next_follow_up_on < day else ""
                out.write(
                    f"  {late}{entry.next_follow_up_on:%Y-%m-%d}  {entry.target_name} — "
                    f"{entry.ask.title} ({entry.get_stage_display()}, "
                    f"{entry.follow_up_count} reminder(s) sent)"
                )
        out.write(f"\nMoved to “no response”: {len(moved)}")
        for entry in moved:
            out.write(f"  {entry.target_name} — {entry.ask.title}")
