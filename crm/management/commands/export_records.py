"""python manage.py export_records KIND [--ask SLUG] [--format csv|xlsx] [--output FILE]
[--user USERNAME] [key=value ...]

Writes contacts, organisations, outreach entries or signatures as CSV or XLSX, filtered
through the same FilterSets as the lists (`country=FR tag=3`, `stage=invited`), with
formula-looking cells neutralised, and logs the export on the audit logger.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from crm import exporting
from crm.audit import log_export
from outreach.models import Ask

ASK_REQUIRED = "Exporting {kind} needs --ask SLUG (the ask whose {kind} to export)."
ASK_UNKNOWN = "No ask with the slug “{slug}”."
USER_UNKNOWN = "No user called “{username}”."
FILTER_MALFORMED = "“{value}” is not a filter: write key=value, e.g. country=FR."


class Command(BaseCommand):
    help = "Export contacts, organisations, outreach or signatures as CSV or XLSX."

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Filters may come after the options (`outreach --ask x stage=invited`).
        parser.parse_args = parser.parse_intermixed_args
        return parser

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(exporting.kinds()))
        parser.add_argument("filters", nargs="*", metavar="key=value")
        parser.add_argument("--ask", metavar="SLUG", help="the ask (outreach, signatures)")
        parser.add_argument("--format", choices=exporting.FORMATS, default="csv")
        parser.add_argument("--output", metavar="FILE", help="file to write (default stdout)")
        parser.add_argument("--user", metavar="USERNAME", help="who the audit log names")

    def handle(self, *args, kind, filters, ask, format, output, user, **options):
        person = None
        if user:
            person = get_user_model().objects.filter(username=user).first()
            if person is None:
                raise CommandError(USER_UNKNOWN.format(username=user))
        query = QueryDict(mutable=True)
        for item in filters:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise CommandError(FILTER_MALFORMED.format(value=item))
            query.appendlist(key, value)
        queryset = None
        if exporting.kinds()[kind].per_ask:
            if not ask:
                raise CommandError(ASK_REQUIRED.format(kind=kind))
            found = Ask.objects.filter(slug=ask).first()
            if found is None:
                raise CommandError(ASK_UNKNOWN.format(slug=ask))
            queryset = exporting.kinds()[kind].model.objects.filter(ask=found)
        if format == "xlsx" and not output:
            raise CommandError("XLSX is binary: write it to a file with --output FILE.")
        try:
            rows = exporting.filtered_rows(kind, query, queryset=queryset)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        content, count = exporting.render(kind, rows, format)
        if output:
            with open(output, "wb") as file:
                file.write(content)
        else:
            # The BOM is for Excel opening a file; a pipe gets plain UTF-8 text.
            text = content.decode("utf-8").removeprefix("\ufeff")
            self.stdout.write(text, ending="")
        logged_query = query.urlencode()
        if ask:
            logged_query = f"ask={ask}&{logged_query}" if logged_query else f"ask={ask}"
        log_export(
            user=person,
            what=kind,
            file_format=format,
            filter=logged_query,
            rows=count,
            via="command line",
        )
        if output:
            self.stderr.write(f"{count} {kind} written to {output}.")
