"""Roles are groups; each grants what the role may do and nothing more."""

import pytest
from django.contrib.auth.models import Group

from crm.roles import ADMIN, CAMPAIGNER, COORDINATOR, ROLES, VIEWER
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _member_of(role):
    return make_user(role=role)


def test_the_migration_created_every_role():
    assert set(Group.objects.filter(name__in=ROLES).values_list("name", flat=True)) == set(ROLES)


# (permission, viewer, campaigner, coordinator, admin)
MATRIX = [
    ("crm.view_contact", True, True, True, True),
    ("crm.change_contact", False, True, True, True),
    ("crm.add_organisation", False, True, True, True),
    ("crm.delete_contact", False, False, False, True),
    ("crm.export_records", False, False, True, True),
    ("crm.import_records", False, False, True, True),
    ("crm.manage_data_protection", False, False, False, True),
    ("crm.merge_records", False, False, True, True),
    ("outreach.change_outreach", False, True, True, True),
    ("outreach.add_signature", False, True, True, True),
    ("outreach.delete_outreach", False, False, True, True),
    ("outreach.add_ask", False, False, True, True),
    ("outreach.change_campaign", False, False, True, True),
    ("outreach.delete_historicalsignature", False, False, False, True),
    ("outreach.view_historicalsignature", True, True, True, True),
    ("auth.change_user", False, False, False, True),
]


@pytest.mark.parametrize(("permission", "viewer", "campaigner", "coordinator", "admin"), MATRIX)
def test_each_role_holds_exactly_its_permissions(
    permission, viewer, campaigner, coordinator, admin
):
    expected = {VIEWER: viewer, CAMPAIGNER: campaigner, COORDINATOR: coordinator, ADMIN: admin}
    for role, allowed in expected.items():
        assert _member_of(role).has_perm(permission) is allowed, (role, permission)


def test_a_viewer_reads_the_dashboard_and_someone_without_a_role_may_not(client):
    client.force_login(make_user(role=VIEWER))
    assert client.get("/").status_code == 200

    client.force_login(make_user(role=None))
    assert client.get("/").status_code == 403
