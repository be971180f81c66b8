from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "keplive.alerts"
    label = "alerts"
    verbose_name = _("Staff alerts and digests")

    def ready(self) -> None:
        from keplive.alerts import checks  # noqa: F401 - registers the start-up checks
