from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


def _sync_roles(sender, using, **kwargs):
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from crm.roles import sync_roles

    # Every app's permissions exist before the roles are given theirs.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_roles(apps)


def _fill_search_text_after_loaddata(sender, instance, raw=False, **kwargs):
    # Fixtures (loaddata) save rows raw, skipping Model.save(): compute the derived
    # search column for them here. Normal saves compute it in save() already.
    if raw:
        text = instance.build_search_text()
        if text != instance.search_text:
            sender._default_manager.filter(pk=instance.pk).update(search_text=text)


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "Organisations and contacts"

    def ready(self):
        from crm import signin_log  # noqa: F401  (connects the sign-in log)

        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="crm-sync-roles")
        for name in ("Organisation", "Contact"):
            post_save.connect(
                _fill_search_text_after_loaddata,
                sender=self.get_model(name),
                dispatch_uid=f"crm-search-text-{name}",
            )
