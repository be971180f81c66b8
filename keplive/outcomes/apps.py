from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "keplive.outcomes"
    label = "outcomes"
    verbose_name = _("Outcomes of appointments")

    def ready(self) -> None:
        from keplive.integrations.ekep import checks as _ekep_checks  # noqa: F401
