from django.apps import AppConfig
from django.db.models.signals import post_save


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
        for name in ("Organisation", "Contact"):
            post_save.connect(
                _fill_search_text_after_loaddata,
                sender=self.get_model(name),
                dispatch_uid=f"crm-search-text-{name}",
            )
