"""Indexes for the reports (docs/performance.md).

PostgreSQL: a partial index on confirmed signatures ordered by (ask, local day), carrying
organisation_id and signed_at, so an ask's growth series and the across-asks comparison
are index-only scans already grouped in order. The local day is computed with the site's
TIME_ZONE at migration time; if TIME_ZONE changes later, the reports stay correct (the
planner no longer uses the index) and running this migration again (migrate outreach
0001, then migrate) rebuilds it for the new zone.

SQLite: a covering index (ask, status, signed_at, organisation) for the same reads.

Written by hand: the expression depends on a setting, so it is not part of the model
state (which would otherwise change with TIME_ZONE and fail `makemigrations --check`).
"""

import re
import zoneinfo

from django.conf import settings
from django.db import migrations

POSTGRES_INDEX = "signature_confirmed_local_day"
SQLITE_INDEX = "signature_report_covering"


def _zone_literal():
    name = settings.TIME_ZONE
    zoneinfo.ZoneInfo(name)  # refuses an unknown zone
    if not re.fullmatch(r"[A-Za-z0-9_/+\-]+", name):
        raise ValueError(f"Unexpected characters in TIME_ZONE {name!r}")
    return f"'{name}'"


def create_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {POSTGRES_INDEX} ON outreach_signature "
            f"(ask_id, ((signed_at AT TIME ZONE {_zone_literal()})::date)) "
            "INCLUDE (organisation_id, signed_at) WHERE status = 'confirmed'"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {SQLITE_INDEX} ON outreach_signature "
            "(ask_id, status, signed_at, organisation_id)"
        )
        # Without fresh statistics SQLite may keep preferring the older, non-covering
        # (ask, status, signed_at) index.
        schema_editor.execute("ANALYZE outreach_signature")


def drop_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {POSTGRES_INDEX}")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {SQLITE_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0003_public_sign_on"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
