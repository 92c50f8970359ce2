"""Stored e-mails in the new normal form (NFKC, IDNA domain: crm.text.normalise_email).
Only addresses with non-ASCII characters can change; one that would then equal another
contact's address is left as it is (a duplicate for the finder, not a lost record)."""

from django.db import migrations


def renormalise(apps, schema_editor):
    from crm.text import normalise_email

    Contact = apps.get_model("crm", "Contact")
    for pk, email in Contact.objects.exclude(email=None).values_list("pk", "email").iterator():
        if email.isascii() and "xn--" not in email:
            continue
        new = normalise_email(email)
        if new != email and not Contact.objects.filter(email__iexact=new).exists():
            Contact.objects.filter(pk=pk).update(email=new)


class Migration(migrations.Migration):
    dependencies = [("crm", "0010_export_file")]

    operations = [migrations.RunPython(renormalise, migrations.RunPython.noop)]
