from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "keplive.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from keplive.accounts.sessions import on_user_logged_in

        # Framework hook: every sign-in (staff, citizen, Django's test client) starts the
        # session's idle and absolute clocks.
        user_logged_in.connect(on_user_logged_in, dispatch_uid="keplive.accounts.session_clocks")
