"""knox's own migrations create knox_authtoken even though KNOX_TOKEN_MODEL points at
accounts.ApiToken. Nothing uses that table, but Django's flush (run between
transactional tests and by `flush`) does not know it, and on PostgreSQL it then cannot
truncate auth_user, which the table references. Drop it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_api_tokens"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS knox_authtoken", migrations.RunSQL.noop),
    ]
