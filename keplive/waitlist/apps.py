from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WaitlistConfig(AppConfig):
    name = "keplive.waitlist"
    verbose_name = _("Waitlist for earlier times")

    def ready(self) -> None:
        from keplive.waitlist import receivers  # noqa: F401  (connects the booking signal)
