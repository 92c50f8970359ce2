from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Staff accounts and API tokens"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts.two_factor import on_user_logged_in

        user_logged_in.connect(on_user_logged_in, dispatch_uid="accounts-two-step")
