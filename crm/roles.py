"""Staff roles as Django groups, and the permissions each one holds.

admin        users, settings, data protection, and everything below
coordinator  campaigns, asks, imports, exports, merging duplicates, everything on outreach
campaigner   works on outreach and contacts: no export, no delete, no import
viewer       reads everything, changes nothing

The groups are created by a migration and kept in step with the models after every
`migrate` (crm.apps), so a model added later gets its permissions in every role.
"""

ADMIN, COORDINATOR, CAMPAIGNER, VIEWER = "admin", "coordinator", "campaigner", "viewer"
ROLES = [ADMIN, COORDINATOR, CAMPAIGNER, VIEWER]

# Permissions that are not about one model (declared on crm.Contact's Meta).
EXPORT = "export_records"
IMPORT = "import_records"
DATA_PROTECTION = "manage_data_protection"
MERGE = "merge_records"
# E-mails and phones in lists (pages, API): not for viewers, who see them one contact at a
# time on its page, so a viewer cannot page through everyone's details.
CONTACT_DETAILS = "list_contact_details"

DOMAIN_APPS = {"crm", "outreach"}
# Records a campaigner creates and edits day to day.
CAMPAIGNER_WRITES = {
    ("crm", "organisation"),
    ("crm", "contact"),
    ("crm", "affiliation"),
    ("crm", "consentrecord"),
    ("crm", "tag"),
    ("crm", "savedview"),
    ("outreach", "outreach"),
    ("outreach", "activity"),
    ("outreach", "signature"),
}
# Apps whose administration is for admins only.
ADMIN_APPS = {
    "auth",
    "axes",
    "accounts",
    "knox",
    "django_tasks_db",
    "sessions",
    "contenttypes",
    "admin",
}


def _action(codename):
    return codename.split("_", 1)[0]


def role_allows(role, app_label, model, codename):
    """Whether `role` holds the permission `app_label.codename` on `model`."""
    if role == ADMIN:
        return app_label in DOMAIN_APPS | ADMIN_APPS
    if app_label not in DOMAIN_APPS:
        return False
    action = _action(codename)
    if model.startswith("historical") and action != "view":
        return False  # the audit trail is read-only below admin
    if codename == DATA_PROTECTION:
        return False
    if codename == CONTACT_DETAILS:
        return role in {CAMPAIGNER, COORDINATOR}
    if role == VIEWER:
        return action == "view"
    if role == CAMPAIGNER:
        return action == "view" or (
            action in {"add", "change"} and (app_label, model) in CAMPAIGNER_WRITES
        )
    if role == COORDINATOR:
        if codename in {EXPORT, IMPORT, MERGE}:
            return True
        if app_label == "outreach":
            return action in {"view", "add", "change", "delete"}
        return action in {"view", "add", "change"}
    return False


def sync_roles(apps):
    """Create the role groups and give each exactly the permissions its role allows."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(Permission.objects.select_related("content_type"))
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(
            [
                permission
                for permission in permissions
                if role_allows(
                    role,
                    permission.content_type.app_label,
                    permission.content_type.model,
                    permission.codename,
                )
            ]
        )
