"""python manage.py import_spreadsheet KIND FILE [options]

Exit status: 0 committed (or a clean dry run), 1 invalid rows prevented the commit,
2 the file (or the command line) cannot be used."""

import json
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator

from crm.importing import run
from crm.importing.mapping import KINDS
from crm.importing.planning import POLICIES
from crm.importing.reading import FileUnreadable


def _published_url(value):
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise CommandError(f"--published-url “{value}” is not a web address.") from None
    return value


class Command(BaseCommand):
    help = "Import contacts, organisations, signatures or an invite list from CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file")
        parser.add_argument("--ask", help="slug of the ask (signatures and invites)")
        parser.add_argument("--sheet", help="sheet of an XLSX workbook (default: the first)")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        dates = parser.add_mutually_exclusive_group()
        dates.add_argument("--day-first", dest="day_first", action="store_true", default=None)
        dates.add_argument("--month-first", dest="day_first", action="store_false")
        parser.add_argument("--policy", choices=POLICIES, default="fill")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid rows and skip the invalid ones (listed)",
        )
        parser.add_argument("--stage", choices=["prospect", "invited"], default="prospect")
        parser.add_argument(
            "--signers",
            choices=["auto", "organisations", "individuals"],
            default="auto",
            help="signatures: which rows are organisations (default: a type column, else "
            "whether the row names an organisation)",
        )
        parser.add_argument(
            "--published-url",
            default="",
            help="signatures: the list is already published at this address; its rows are "
            "listed, with the address recorded as the basis",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--user", help="username the import is attributed to")

    def handle(self, *args, **opts):
        try:
            outcome = self._run(opts)
        except (FileUnreadable, CommandError, OSError) as error:
            self._fail(opts, str(error))
            sys.exit(2)
        if opts["json"]:
            self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))
        else:
            self._summary(outcome, opts)
        if not opts["dry_run"] and not outcome.committed:
            sys.exit(1)
        if opts["dry_run"] and outcome.errors and not opts["skip_invalid"]:
            sys.exit(1)

    def _run(self, opts):
        from django.contrib.auth import get_user_model

        from outreach.models import Ask

        ask = None
        if opts["kind"] in ("signatures", "invites"):
            if not opts["ask"]:
                raise CommandError(f"Importing {opts['kind']} needs --ask SLUG.")
            ask = Ask.objects.filter(slug=opts["ask"]).first()
            if ask is None:
                raise CommandError(f"No ask with the slug “{opts['ask']}”.")
        user = None
        if opts["user"]:
            user = get_user_model().objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"No user “{opts['user']}”.")
        path = Path(opts["file"])
        data = path.read_bytes()
        options = {
            "policy": opts["policy"],
            "skip_invalid": opts["skip_invalid"],
            "stage": opts["stage"],
            "signers": opts["signers"],
            "published_url": _published_url(opts["published_url"]),
        }
        if opts["day_first"] is not None:
            options["day_first"] = opts["day_first"]
        if opts["sheet"]:
            options["sheet"] = opts["sheet"]
        record = run.new_record(
            kind=opts["kind"], data=data, file_name=path.name, user=user, ask=ask, options=options
        )
        try:
            if opts["dry_run"]:
                outcome = run.preview(record, progress=False)
                record.delete()  # a dry run leaves no trace
                return outcome
            outcome = run.commit(record, user=user, progress=False)
        except FileUnreadable:
            record.delete()
            raise
        if record.has_file:
            record.forget_file()  # the file is not kept after the run
            record.save(update_fields=["data", "table"])
        return outcome

    def _fail(self, opts, message):
        if opts["json"]:
            self.stdout.write(json.dumps({"error": message, "committed": False}))
        else:
            self.stderr.write(message)

    def _summary(self, outcome, opts):
        counts = outcome.counts
        self.stdout.write(
            ", ".join(f"{name.replace('_', ' ')}: {value}" for name, value in counts.items())
        )
        for error in outcome.errors:
            self.stdout.write(f"row {error.row}, {error.column or '-'}: {error.reason}")
        for warning in outcome.warnings:
            self.stdout.write(
                f"warning: row {warning['row']}, {warning['column']}: {warning['reason']}"
            )
        if outcome.committed:
            self.stdout.write(self.style.SUCCESS("Imported."))
        elif opts["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
        else:
            self.stdout.write(self.style.ERROR("Nothing was imported."))
