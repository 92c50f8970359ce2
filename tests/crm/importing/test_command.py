import pytest

from crm.models import Contact, ImportRecord
from tests.crm.importing.helpers import command, csv_bytes

pytestmark = pytest.mark.django_db

# The shape, plus "skipped" (rows left alone under --policy skip).
KEYS = {
    "skipped",
    "rows",
    "blank",
    "new",
    "updated",
    "unchanged",
    "merged",
    "invalid",
    "organisations_new",
    "organisations_matched",
    "errors",
    "warnings",
    "committed",
}


def test_it_prints_one_json_object_and_exits_0_when_committed(tmp_path):
    data = csv_bytes([["Email", "Org"], ["a@example.org", "Liga"], ["A@example.org ", "Liga"]])

    code, result = command(tmp_path, "contacts", data)

    assert code == 0
    assert set(result) == KEYS
    assert (result["new"], result["merged"], result["organisations_new"]) == (1, 1, 1)
    assert result["committed"] is True
    assert Contact.objects.count() == 1


def test_it_exits_1_when_invalid_rows_prevent_the_commit(tmp_path):
    data = csv_bytes([["Email"], ["a@example.org"], ["nope"]])

    code, result = command(tmp_path, "contacts", data)

    assert code == 1
    assert result["committed"] is False
    assert result["errors"] == [
        {
            "row": 3,
            "column": "Email",
            "value": "nope",
            "reason": "“nope” is not a valid e-mail address.",
        }
    ]
    assert Contact.objects.count() == 0


def test_a_clean_dry_run_exits_0_and_writes_nothing(tmp_path):
    code, result = command(
        tmp_path, "contacts", csv_bytes([["Email"], ["a@example.org"]]), "--dry-run"
    )

    assert (code, result["new"], result["committed"]) == (0, 1, False)
    assert Contact.objects.count() == ImportRecord.objects.count() == 0


def test_it_exits_2_when_the_file_cannot_be_read(tmp_path):
    code, result = command(tmp_path, "contacts", b"PK\x03\x04garbage", name="broken.xlsx")

    assert code == 2
    assert "could not be read" in result["error"]


def test_skip_invalid_commits_the_valid_rows(tmp_path):
    data = csv_bytes([["Email"], ["a@example.org"], ["nope"]])

    code, result = command(tmp_path, "contacts", data, "--skip-invalid")

    assert (code, result["new"], result["invalid"], result["committed"]) == (0, 1, 1, True)


def test_the_file_size_limit_is_a_setting(tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 100
    code, result = command(tmp_path, "contacts", csv_bytes([["Email"]] + [["a@example.org"]] * 20))

    assert code == 2
    assert "largest file accepted" in result["error"]


def test_the_row_limit_is_a_setting(tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 5
    code, result = command(tmp_path, "contacts", csv_bytes([["Email"]] + [["a@example.org"]] * 40))

    assert code == 2
    assert "more than 5 rows" in result["error"]
