import pytest

from crm.models import Contact, Organisation
from outreach.importing import ORGANISATION_ON_INDIVIDUALS_ASK
from outreach.models import Ask, Outreach, Signature, Stage
from outreach.services import signature_record
from tests.crm.importing.helpers import command, csv_bytes, do_import
from tests.factories import make_ask, make_organisation, make_outreach

pytestmark = pytest.mark.django_db


def test_signatures_are_recorded_through_the_service_and_move_the_pipeline(staff):
    ask = make_ask()
    liga = make_organisation(name="Liga")
    entry = make_outreach(ask=ask, organisation=liga, stage=Stage.INVITED)
    data = csv_bytes(
        [
            ["Organisation", "E-mail", "Name", "Date signed", "Public"],
            ["Liga", "ana@liga.eu", "Ana López", "2023-09-05", "yes"],
            ["New Group", "", "", "06/09/2023", "no"],
            ["", "zoe@example.org", "Zoë Individual", "", "oui"],
        ]
    )

    outcome = do_import("signatures", data, ask=ask, user=staff, day_first=True)

    assert outcome.committed, outcome.errors
    assert outcome.counts["new"] == 3
    entry.refresh_from_db()
    assert entry.stage == Stage.SIGNED
    liga_signature = Signature.objects.get(organisation=liga)
    assert liga_signature.contact.email == "ana@liga.eu"
    assert liga_signature.source == Signature.Source.IMPORT
    assert liga_signature.public is True
    assert liga_signature.signed_at.date().isoformat() == "2023-09-05"
    assert Signature.objects.get(organisation__name="New Group").public is False
    assert Signature.objects.get(organisation=None).contact.first_name == "Zoë"


def test_signing_twice_keeps_one_live_signature():
    ask = make_ask()
    liga = make_organisation(name="Liga")
    signature_record(ask=ask, organisation=liga)
    data = csv_bytes([["Organisation"], ["Liga"], ["LIGA"]])

    outcome = do_import("signatures", data, ask=ask)

    # Nothing in the file differs from the signature stored: reported unchanged.
    assert (outcome.counts["unchanged"], outcome.counts["merged"]) == (1, 1)
    assert Signature.objects.live().count() == 1


def test_signing_again_with_a_new_role_updates_the_one_live_signature():
    ask = make_ask()
    liga = make_organisation(name="Liga")
    signature_record(ask=ask, organisation=liga)
    data = csv_bytes([["Organisation", "Role"], ["Liga", "Director"]])

    outcome = do_import("signatures", data, ask=ask)

    assert (outcome.counts["updated"], outcome.counts["unchanged"]) == (1, 0)
    assert Signature.objects.live().get().role == "Director"


def test_a_signature_the_ask_refuses_rolls_back_the_whole_file():
    ask = make_ask(signers=Ask.Signers.INDIVIDUALS)
    data = csv_bytes(
        [["E-mail", "Name", "Type"], ["ana@example.org", "Ana", "Person"], ["", "Liga", "NGO"]]
    )

    outcome = do_import("signatures", data, ask=ask)

    assert not outcome.committed
    assert outcome.errors[0].row == 3
    assert outcome.errors[0].reason == ORGANISATION_ON_INDIVIDUALS_ASK
    assert Signature.objects.count() == Contact.objects.count() == 0


def test_an_invite_list_puts_organisations_and_people_in_the_pipeline(tmp_path):
    ask = make_ask(slug="stop-frt")
    make_outreach(ask=ask, organisation=make_organisation(name="Liga"))
    data = csv_bytes(
        [
            ["Organisation", "Email", "Stage"],
            ["Liga", "", ""],
            ["New Group", "", "invited"],
            ["", "zoe@example.org", ""],
        ]
    )

    code, result = command(tmp_path, "invites", data, "--ask", "stop-frt")

    assert code == 0, result
    assert (result["new"], result["unchanged"], result["organisations_new"]) == (2, 1, 1)
    new_group = Outreach.objects.get(organisation__name="New Group")
    assert new_group.stage == Stage.INVITED
    assert Outreach.objects.get(organisation=None).contact.email == "zoe@example.org"
    assert Organisation.objects.count() == 2


def test_signatures_and_invites_need_an_ask(tmp_path):
    code, result = command(tmp_path, "invites", csv_bytes([["Organisation"], ["Liga"]]))

    assert code == 2
    assert "--ask" in result["error"]


def test_undoing_an_invite_list_removes_the_new_entries_and_organisations(staff):
    from crm.importing.undo import import_undo
    from crm.models import ImportRecord

    ask = make_ask()
    make_outreach(ask=ask, organisation=make_organisation(name="Liga"))
    do_import(
        "invites", csv_bytes([["Organisation"], ["Liga"], ["New Group"]]), ask=ask, user=staff
    )

    import_undo(record=ImportRecord.objects.get(), by=staff)

    assert list(Outreach.objects.values_list("organisation__name", flat=True)) == ["Liga"]
    assert not Organisation.objects.filter(name="New Group").exists()


def test_undoing_a_signature_import_withdraws_the_signatures(staff):
    from crm.importing.undo import import_undo
    from crm.models import ImportRecord

    ask = make_ask()
    entry = make_outreach(ask=ask, organisation=make_organisation(name="Liga"), stage=Stage.INVITED)
    do_import("signatures", csv_bytes([["Organisation"], ["Liga"]]), ask=ask, user=staff)

    import_undo(record=ImportRecord.objects.get(), by=staff)

    assert Signature.objects.get().status == Signature.Status.WITHDRAWN
    entry.refresh_from_db()
    assert entry.stage == Stage.WITHDRAWN
