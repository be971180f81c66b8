from django.apps import AppConfig


class KepliveConfig(AppConfig):
    name = "keplive.config"
    label = "keplive_config"
    verbose_name = "KEPlive"

    def ready(self) -> None:
        from keplive.config import checks  # noqa: F401 - registers the system checks
        from keplive.integrations.gsis import checks as _gsis_checks  # noqa: F401
        from keplive.integrations.police import checks as _police_checks  # noqa: F401
