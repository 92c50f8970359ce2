from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = "Outreach and signatures"

    def ready(self):
        from outreach import signature_cache

        signature_cache.connect()
