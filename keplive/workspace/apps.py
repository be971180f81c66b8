from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "keplive.workspace"
    verbose_name = _("KEP employee workspace")
