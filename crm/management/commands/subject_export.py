"""python manage.py subject_export EMAIL [--format json|csv] [--output FILE]

Everything the CRM holds on the person with this e-mail (crm.privacy.subject_export)."""

import csv
import io
import json

from django.core.management.base import BaseCommand, CommandError

from crm.models import Contact
from crm.privacy import subject_export, subject_export_csv_rows


def contact_by_email(email):
    contact = Contact.objects.filter(email=email).first()
    if contact is None:
        raise CommandError(f"No contact has the e-mail {email!r}.")
    return contact


class Command(BaseCommand):
    help = "Export everything held on a person, as JSON or CSV."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args, email, format, output, **options):
        export = subject_export(contact=contact_by_email(email))
        if format == "json":
            text = json.dumps(export, ensure_ascii=False, indent=2) + "\n"
        else:
            buffer = io.StringIO()
            csv.writer(buffer).writerows(subject_export_csv_rows(export))
            text = buffer.getvalue()
        if output:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
        else:
            self.stdout.write(text, ending="")
