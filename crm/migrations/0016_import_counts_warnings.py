"""Earlier imports learn how many of their rows have a warning (the history list shows it)."""

from django.db import migrations


def count_warnings(apps, schema_editor):
    ImportRecord = apps.get_model("crm", "ImportRecord")
    changed = []
    for record in ImportRecord.objects.only("counts", "warnings").iterator(chunk_size=200):
        if not record.counts or "warnings" in record.counts:
            continue
        rows = {w.get("row") for w in record.warnings or [] if isinstance(w, dict)}
        rows.discard(None)
        rows.discard(0)
        record.counts = {**record.counts, "warnings": len(rows)}
        changed.append(record)
    ImportRecord.objects.bulk_update(changed, ["counts"], batch_size=200)


class Migration(migrations.Migration):
    dependencies = [("crm", "0015_saved_mapping_used_at")]

    operations = [migrations.RunPython(count_warnings, migrations.RunPython.noop)]
