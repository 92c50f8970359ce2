"""Recompute the signature roll-ups the reports read, from the signatures themselves."""

from django.core.management.base import BaseCommand

from outreach.rollups import rollup_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the daily signature counts the reports read (per ask, local day, kind, "
        "country and source) from the signatures, in one transaction. The services keep "
        "them up to date; run this after changing signatures by hand (SQL, a restore)."
    )

    def handle(self, *args, **options):
        counted = rollup_rebuild()
        self.stdout.write(f"Rebuilt the roll-ups from {counted} confirmed signature(s).")
