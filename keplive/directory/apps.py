from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "keplive.directory"
    label = "directory"
    verbose_name = _("KEP directory")

    def ready(self) -> None:
        from keplive.directory import models
        from keplive.directory.versioning import mark_directory_changed

        def directory_changed(**kwargs: Any) -> None:
            mark_directory_changed()

        for model in (
            models.Municipality,
            models.Kep,
            models.OpeningHours,
            models.OpeningException,
            models.LocalHoliday,
            models.Employee,
            models.Availability,
            models.Absence,
        ):
            uid = f"directory-version-{model.__name__}"
            post_save.connect(directory_changed, sender=model, weak=False, dispatch_uid=uid)
            post_delete.connect(
                directory_changed, sender=model, weak=False, dispatch_uid=uid + "-d"
            )
