"""Exports of more rows than EXPORT_IN_BACKGROUND_AFTER are written by the task worker
(the suite's immediate backend runs it at once): the request answers with the export's
page, the file matches what the list would have given, only its owner downloads it,
each download is logged, and the file is deleted when its time is up."""

import csv
import datetime
import io
import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from crm import exporting
from crm.models import ExportFile
from outreach.models import Stage
from tests.factories import make_ask, make_contact, make_organisation, make_outreach, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_threshold(settings):
    settings.EXPORT_IN_BACKGROUND_AFTER = 2
    settings.EXPORT_FILES_KEEP_HOURS = 24


@pytest.fixture
def coordinator(client):
    client.force_login(make_user("coord", role="coordinator"))
    return client


@pytest.fixture
def contacts():
    return [
        make_contact(f"Person{n}", "Lima", email=f"p{n}@example.org", country="PT")
        for n in range(3)
    ] + [make_contact("Other", "Country", email="o@example.org", country="DE")]


def csv_emails(content):
    return sorted(r["email"] for r in csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def export_contacts(client, query="country=PT", action="export_csv"):
    return client.post(
        reverse("crm:contact-bulk"), {"action": action, "scope": "all", "query": query}
    )


def test_a_large_export_answers_with_its_page_and_the_file_is_the_lists_rows(coordinator, contacts):
    response = export_contacts(coordinator)

    export = ExportFile.objects.get()
    assert response.status_code == 302 and response.url == export.get_absolute_url()
    assert (export.status, export.rows_done, export.rows_total) == ("ready", 3, 3)
    page = coordinator.get(export.get_absolute_url())
    assert b"The file is ready" in page.content
    download = coordinator.get(reverse("crm:export-download", args=[export.pk]))
    assert csv_emails(download.content) == ["p0@example.org", "p1@example.org", "p2@example.org"]
    assert 'filename="contacts-' in download["Content-Disposition"]


def test_a_small_export_is_still_downloaded_at_once(coordinator, contacts):
    response = export_contacts(coordinator, query="country=DE")

    assert response["Content-Type"].startswith("text/csv")
    assert not ExportFile.objects.exists()


def test_the_background_file_is_the_same_as_the_direct_export(coordinator, contacts, settings):
    export_contacts(coordinator)
    background = coordinator.get(reverse("crm:export-download", args=[ExportFile.objects.get().pk]))
    settings.EXPORT_IN_BACKGROUND_AFTER = 100

    direct = export_contacts(coordinator)

    assert background.content == direct.content


def test_an_asks_outreach_table_exports_in_the_background_with_its_filters(coordinator):
    ask = make_ask(slug="ban-biometrics")
    for n in range(3):
        make_outreach(ask, organisation=make_organisation(f"Invited {n}"), stage=Stage.INVITED)
    make_outreach(ask, organisation=make_organisation("Prospect"))
    make_outreach(make_ask(), organisation=make_organisation("Other ask"), stage=Stage.INVITED)

    response = coordinator.get(
        reverse("outreach:ask-table", args=[ask.slug]), {"stage": "invited", "export": "xlsx"}
    )

    export = ExportFile.objects.get()
    assert response.url == export.get_absolute_url()
    assert (export.ask, export.query, export.rows_total) == (ask, "stage=invited", 3)
    assert export.file_name.startswith("ban-biometrics-outreach-")


def test_progress_is_counted_in_chunks(coordinator, contacts, monkeypatch):
    monkeypatch.setattr(exporting, "CHUNK", 2)
    seen = []
    original = ExportFile.objects.filter

    def spy(*args, **kwargs):
        queryset = original(*args, **kwargs)
        update = queryset.update

        def recording_update(**values):
            if "rows_done" in values:
                seen.append(values["rows_done"])
            return update(**values)

        queryset.update = recording_update
        return queryset

    monkeypatch.setattr(ExportFile.objects, "filter", spy)

    export_contacts(coordinator)

    assert seen == [0, 2, 3, 3]


def test_each_download_is_logged_without_the_rows(coordinator, contacts, caplog):
    export_contacts(coordinator, query="country=PT&q=Lima")
    export = ExportFile.objects.get()

    with caplog.at_level(logging.INFO, logger="coalition.audit"):
        coordinator.get(reverse("crm:export-download", args=[export.pk]))
        coordinator.get(reverse("crm:export-download", args=[export.pk]))

    lines = [r for r in caplog.records if r.name == "coalition.audit"]
    assert [(r.kind, r.user, r.via) for r in lines] == [
        ("contacts", "coord", "list (written in the background)")
    ] * 2
    assert all("p0@example.org" not in r.getMessage() for r in lines)


# Attacks -----------------------------------------------------------------------------


def test_someone_elses_export_is_not_found(client, contacts):
    owner = make_user("owner", role="coordinator")
    client.force_login(owner)
    export_contacts(client)
    export = ExportFile.objects.get()
    client.force_login(make_user("other", role="coordinator"))

    for name in ("export-detail", "export-progress", "export-download"):
        assert client.get(reverse(f"crm:{name}", args=[export.pk])).status_code == 404
    assert client.post(reverse("crm:export-delete", args=[export.pk])).status_code == 404
    assert client.post(reverse("crm:export-retry", args=[export.pk])).status_code == 404
    assert b"contacts-" not in client.get(reverse("crm:export-list")).content
    assert ExportFile.objects.filter(pk=export.pk).exists()


def test_an_owner_who_lost_the_export_permission_cannot_download(client, contacts):
    owner = make_user("owner", role="coordinator")
    client.force_login(owner)
    export_contacts(client)
    owner.groups.clear()
    owner.groups.add(*make_user("viewer", role="viewer").groups.all())
    owner = type(owner).objects.get(pk=owner.pk)  # permissions are cached on the object
    client.force_login(owner)

    response = client.get(reverse("crm:export-download", args=[ExportFile.objects.get().pk]))

    assert response.status_code == 403


def test_an_expired_file_is_gone_and_deleted(coordinator, contacts):
    export_contacts(coordinator)
    export = ExportFile.objects.get()
    ExportFile.objects.filter(pk=export.pk).update(expires_at=timezone.now())

    response = coordinator.get(reverse("crm:export-download", args=[export.pk]))

    assert response.status_code == 410
    assert not ExportFile.objects.exists()


def test_the_list_page_deletes_expired_files_and_shows_the_rest(coordinator, contacts):
    export_contacts(coordinator)
    export_contacts(coordinator, action="export_xlsx")
    old, new = ExportFile.objects.order_by("pk")
    ExportFile.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    page = coordinator.get(reverse("crm:export-list"))

    assert list(ExportFile.objects.all()) == [new]
    assert new.file_name.encode() in page.content


def test_a_failed_export_says_why_and_can_be_tried_again(coordinator, contacts, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(exporting, "export_file_build", broken)
    export_contacts(coordinator)
    export = ExportFile.objects.get()
    assert export.status == "failed" and export.message == exporting.EXPORT_FAILED
    assert exporting.EXPORT_FAILED.encode() in coordinator.get(export.get_absolute_url()).content
    monkeypatch.undo()

    coordinator.post(reverse("crm:export-retry", args=[export.pk]))

    export.refresh_from_db()
    assert (export.status, export.message, export.rows_total) == ("ready", "", 3)


def test_the_owner_can_delete_the_file_early(coordinator, contacts):
    export_contacts(coordinator)

    response = coordinator.post(reverse("crm:export-delete", args=[ExportFile.objects.get().pk]))

    assert response.url == reverse("crm:export-list")
    assert not ExportFile.objects.exists()


def test_erasing_a_person_deletes_every_kept_export_file(coordinator, contacts):
    from crm.privacy import subject_erase

    export_contacts(coordinator)

    erased = subject_erase(contact=contacts[0])

    assert not ExportFile.objects.exists()
    assert erased.rows["crm.exportfile (files)"] == 1
