from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, using, **kwargs):
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from crm.roles import sync_roles

    # Every app's permissions exist before the roles are given theirs.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_roles(apps)


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "Organisations and contacts"

    def ready(self):
        from crm import signin_log  # noqa: F401  (connects the sign-in log)

        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="crm-sync-roles")
