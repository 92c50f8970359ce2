import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.importing.reading import FileUnreadable
from crm.models import Organisation
from tests.crm.importing.helpers import csv_bytes, do_import, xlsx_bytes
from tests.factories import make_organisation

pytestmark = pytest.mark.django_db


def test_it_imports_organisations_matching_and_merging_them_and_keeps_an_unknown_kind():
    make_organisation(name="European Digital Rights", acronym="EDRi", city="")
    data = csv_bytes(
        [
            ["Organisation", "Sigle", "Type", "Land", "Ville", "Site web"],
            ["European Digital Rights", "", "Network", "Belgium", "Brussels", ""],
            ["Liga für Grundrechte", "", "NGO", "AT", "Wien", "https://www.liga.eu"],
            ["Liga", "", "", "", "", "liga.eu"],
            ["", "", "", "", "", ""],
            ["Bits of Freedom", "", "charity", "NL", "", ""],
        ]
    )

    outcome = do_import("organisations", data)

    assert outcome.counts == {
        "rows": 4,
        "blank": 1,
        "new": 2,
        "updated": 1,
        "unchanged": 0,
        "skipped": 0,
        "merged": 1,
        "invalid": 0,
        "organisations_new": 2,
        "organisations_matched": 1,
    }
    assert outcome.committed
    assert "“charity” is not one of the kinds" in outcome.warnings[0]["reason"]
    assert Organisation.objects.get(name="Bits of Freedom").kind == Organisation.Kind.OTHER
    edri = Organisation.objects.get(acronym="EDRi")
    assert (edri.city, edri.country.code, edri.kind) == ("Brussels", "BE", "ngo")
    liga = Organisation.objects.get(name="Liga für Grundrechte")
    assert (liga.domain, liga.city) == ("liga.eu", "Wien")


def test_an_organisation_row_needs_a_name():
    outcome = do_import("organisations", csv_bytes([["Name", "City"], ["", "Wien"]]))

    assert [e.reason for e in outcome.errors] == ["An organisation needs a name."]


def test_the_unpacked_size_of_a_workbook_counts(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 10_000
    data = xlsx_bytes([["Name"]] + [[f"Organisation {i} " + "x" * 50] for i in range(300)])
    assert len(data) < 10_000
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert unpacked > 10_000

    with pytest.raises(FileUnreadable, match="unpacks to"):
        do_import("organisations", data, file_name="big.xlsx")


def _queries_for(rows):
    data = csv_bytes(
        [["E-mail", "Organisation", "Since"]]
        + [[f"p{i}@{rows}.example.org", f"Org {rows}-{i % 7}", "2023-09-05"] for i in range(rows)]
    )
    with CaptureQueriesContext(connection) as queries:
        outcome = do_import("contacts", data)
    assert outcome.committed
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_rows():
    assert _queries_for(20) == _queries_for(400)


def test_a_workbook_with_xml_entities_is_refused():
    data = xlsx_bytes([["Name"], ["Liga"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/workbook.xml":
                content = (
                    b'<!DOCTYPE b [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;">]>'
                    + (content.split(b"?>", 1)[-1])
                )
            target.writestr(info, content)

    with pytest.raises(FileUnreadable, match="not a valid XLSX file"):
        do_import("organisations", buffer.getvalue(), file_name="bomb.xlsx")


def test_organisations_named_in_other_scripts_are_matched_not_created_again():
    make_organisation(name="Ένωση Πολιτών")
    make_organisation(name="Цифрові права")
    data = csv_bytes(
        [["Organisation"], ["ένωση πολιτών"], ["Цифрові  права"], ["Ελευθερία"], ["Свобода"]]
    )

    outcome = do_import("organisations", data)

    assert (outcome.counts["unchanged"], outcome.counts["new"]) == (2, 2)
    assert Organisation.objects.count() == 4
