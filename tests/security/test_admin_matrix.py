"""Attack: a viewer creates contacts through the admin's import page (the import-export
buttons checked nothing), and runs admin actions that change records. Every admin door
now asks what the pages ask: importing needs crm.import_records and the right to add the
rows, exporting crm.export_records, and every action declares the permission it needs."""

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.admin import ImportExportAdminMixin
from crm.models import Contact
from crm.roles import ADMIN, CAMPAIGNER, COORDINATOR, VIEWER
from outreach.models import Stage

pytestmark = pytest.mark.django_db

STAFF = [VIEWER, CAMPAIGNER, COORDINATOR, ADMIN]
IMPORTING = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, ImportExportAdminMixin)
)


def may(user, model_name, app_label, what):
    if what == "import":
        return user.has_perm("crm.import_records") and user.has_perm(
            f"{app_label}.add_{model_name}"
        )
    return user.has_perm("crm.export_records")


@pytest.mark.parametrize("role", STAFF)
@pytest.mark.parametrize(("app_label", "model_name"), IMPORTING)
@pytest.mark.parametrize("what", ["import", "export"])
def test_the_admins_import_and_export_pages_follow_the_roles(
    client, users, role, app_label, model_name, what
):
    user = users[role]
    client.force_login(user)

    response = client.get(f"/admin/{app_label}/{model_name}/{what}/")

    assert (response.status_code == 200) == may(user, model_name, app_label, what), (
        f"{what} {app_label}.{model_name} as {role}: {response.status_code}"
    )


def test_a_viewer_cannot_import_contacts_through_the_admin(client, users):
    client.force_login(users[VIEWER])
    upload = SimpleUploadedFile("c.csv", b"email,first_name\nmallory@evil.example,Mallory\n")

    response = client.post(
        "/admin/crm/contact/import/", {"import_file": upload, "format": "0", "resource": "0"}
    )

    assert response.status_code == 403
    assert not Contact.objects.filter(email="mallory@evil.example").exists()


def test_every_admin_action_declares_the_permission_it_needs():
    undeclared = [
        f"{model._meta.label}: {getattr(action, '__name__', action)}"
        for model, model_admin in admin.site._registry.items()
        for action in model_admin.actions or []
        if callable(action) and not getattr(action, "allowed_permissions", None)
    ]
    assert undeclared == []


def test_a_viewer_cannot_move_entries_with_an_admin_action(client, users, objects):
    client.force_login(users[VIEWER])
    entry = objects["outreach"]

    client.post(
        "/admin/outreach/outreach/",
        {"action": "move_to_invited", "_selected_action": [entry.pk]},
    )

    entry.refresh_from_db()
    assert entry.stage == Stage.PROSPECT
