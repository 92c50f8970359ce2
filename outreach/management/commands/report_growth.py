"""Print an ask's growth series: confirmed signatories per local day or week."""

import csv
import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from outreach import reports
from outreach.models import Ask

UNKNOWN_ASK = "No ask with the slug “{slug}”."
BAD_DATE = "“{value}” is not a date: write it as YYYY-MM-DD."
RANGE_BACKWARDS = "--from ({start}) is after --to ({end})."


def iso_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(BAD_DATE.format(value=value)) from None


class Command(BaseCommand):
    help = (
        "Print the growth series of an ask (period, new, cumulative, organisations, "
        "individuals, partial) as CSV or JSON. Confirmed signatures only; days are the "
        "site's local days."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ask", required=True, metavar="SLUG", help="the ask's slug")
        parser.add_argument("--by", choices=reports.PERIODS, default=reports.DAY)
        parser.add_argument("--from", dest="start", type=str, metavar="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", type=str, metavar="YYYY-MM-DD")
        parser.add_argument("--format", choices=("csv", "json"), default="csv")

    def handle(self, *args, ask, by, start, end, format, **options):
        try:
            ask = Ask.objects.get(slug=ask)
        except Ask.DoesNotExist:
            raise CommandError(UNKNOWN_ASK.format(slug=ask)) from None
        start = iso_date(start) if start else None
        end = iso_date(end) if end else None
        if start and end and start > end:
            raise CommandError(RANGE_BACKWARDS.format(start=start, end=end))

        growth = reports.growth_series(ask=ask, by=by, start=start, end=end)
        if format == "json":
            self.stdout.write(json.dumps(growth.as_dict(), indent=2))
            return
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(reports.GROWTH_HEADERS)
        for point in growth.points:
            writer.writerow(
                [
                    point.period.isoformat(),
                    point.new,
                    point.cumulative,
                    point.organisations,
                    point.individuals,
                    "true" if point.partial else "false",
                ]
            )
