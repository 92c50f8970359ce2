"""python manage.py subject_erase EMAIL [--yes] [--no-suppress]

Anonymise the person with this e-mail everywhere (crm.privacy.subject_erase) and keep a
keyed hash of the address so they are not brought back silently. Asks for confirmation
unless --yes."""

from django.core.management.base import BaseCommand, CommandError

from crm.management.commands.subject_export import contact_by_email
from crm.privacy import subject_erase


class Command(BaseCommand):
    help = "Erase a person's data everywhere (anonymise), keeping counts."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument(
            "--no-suppress",
            dest="suppress",
            action="store_false",
            help="keep no hash of the e-mail (a later import may bring them back)",
        )

    def handle(self, *args, email, yes, suppress, **options):
        contact = contact_by_email(email)
        if not yes:
            answer = input(f"Erase {contact} ({email}) everywhere? This cannot be undone. [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Nothing erased.")
        erased = subject_erase(contact=contact, suppress=suppress)
        changed = ", ".join(f"{label}: {n}" for label, n in sorted(erased.rows.items()) if n)
        self.stdout.write(f"Erased contact {erased.contact_id} ({changed}).")
        if erased.suppressed:
            self.stdout.write("Its e-mail is suppressed: imports and signings will report it.")
