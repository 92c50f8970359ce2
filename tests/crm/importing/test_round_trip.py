"""Export -> re-import gives only "unchanged": the property, over generated contacts.

The file is written the way an export writes it (one row per contact, its primary
organisation, cells a spreadsheet would run prefixed with a quote)."""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.models import Affiliation, Contact, Organisation
from crm.text import normalise_name
from tests.crm.importing.helpers import do_import

pytestmark = pytest.mark.django_db

names = st.builds(
    lambda prefix, body: normalise_name(prefix + body),
    st.sampled_from(["", "", "=", "+", "-", "@", "'"]),
    st.text(st.characters(categories=["L", "Zs"]), min_size=1, max_size=30),
).filter(bool)
people = st.lists(
    st.tuples(names, names, st.sampled_from(["", "Liga", "EDRi", "Privacy First"])),
    min_size=1,
    max_size=8,
)


def _exported():
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["First name", "Last name", "E-mail", "Organisation"])
    for contact in Contact.objects.order_by("pk"):
        affiliation = contact.affiliations.filter(is_primary=True).first()
        organisation = affiliation.organisation.name if affiliation else ""
        writer.writerow(
            [
                _neutralise(v)
                for v in (contact.first_name, contact.last_name, contact.email, organisation)
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _neutralise(value):
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(people=people)
def test_export_then_reimport_yields_only_unchanged(people):
    Affiliation.objects.all().delete()
    Contact.objects.all().delete()
    Organisation.objects.all().delete()
    for i, (first, last, organisation) in enumerate(people):
        contact = Contact.objects.create(
            first_name=first, last_name=last, email=f"p{i}@example.org"
        )
        if organisation:
            org, _ = Organisation.objects.get_or_create(name=organisation)
            Affiliation.objects.create(contact=contact, organisation=org, is_primary=True)

    for policy in ("fill", "overwrite"):
        outcome = do_import("contacts", _exported(), policy=policy)
        assert outcome.committed, outcome.errors
        assert outcome.counts["unchanged"] == len(people), (policy, outcome.counts)
        assert outcome.counts["new"] == outcome.counts["updated"] == 0
