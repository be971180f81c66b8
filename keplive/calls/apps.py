from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "keplive.calls"
    verbose_name = _("Video calls")
    default_auto_field = "django.db.models.BigAutoField"
