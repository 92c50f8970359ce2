"""`manage.py find_duplicates contacts|organisations [--min-score N] [--json]`."""

import json
import time

from django.core.management.base import BaseCommand

from crm.duplicates import DEFAULT_MIN_SCORE, FINDERS
from crm.models import Contact, Organisation

KINDS = {"contacts": ("contact", Contact), "organisations": ("organisation", Organisation)}


class Command(BaseCommand):
    help = "List pairs of contacts or organisations that may be duplicates, best first."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument(
            "--min-score",
            type=int,
            default=DEFAULT_MIN_SCORE,
            help=f"Leave out pairs scoring below this (0-100, default {DEFAULT_MIN_SCORE}).",
        )
        parser.add_argument("--json", action="store_true", help="Print a JSON list.")

    def handle(self, *args, kind, min_score, **options):
        kind, model = KINDS[kind]
        started = time.monotonic()
        pairs = FINDERS[kind](min_score=min_score)
        elapsed = time.monotonic() - started
        ids = {pk for p in pairs for pk in (p.first_id, p.second_id)}
        names = {obj.pk: str(obj) for obj in model.objects.filter(pk__in=ids).iterator()}
        if options["json"]:
            rows = [
                {**p.as_dict(), "first": names[p.first_id], "second": names[p.second_id]}
                for p in pairs
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not pairs:
            self.stdout.write(f"No pairs scoring {min_score} or more.")
            return
        for p in pairs:
            self.stdout.write(
                f"{p.score:3d}  #{p.first_id} {names[p.first_id]}  ~  "
                f"#{p.second_id} {names[p.second_id]}  ({'; '.join(p.reasons)})"
            )
        self.stderr.write(f"{len(pairs)} pairs in {elapsed:.1f} s.")
