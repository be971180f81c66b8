from typing import Any

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "keplive.catalogue"
    label = "catalogue"
    verbose_name = _("Service catalogue")

    def ready(self) -> None:
        from keplive.catalogue import models
        from keplive.directory.versioning import mark_directory_changed

        # The API caches services and categories under the directory version (api/lookups.py):
        # a change to the catalogue makes those entries unreachable, as a directory change does.
        def catalogue_changed(**kwargs: Any) -> None:
            mark_directory_changed()

        for model in (models.Service, models.Category):
            uid = f"catalogue-version-{model.__name__}"
            post_save.connect(catalogue_changed, sender=model, weak=False, dispatch_uid=uid)
            post_delete.connect(
                catalogue_changed, sender=model, weak=False, dispatch_uid=uid + "-d"
            )
        m2m_changed.connect(
            catalogue_changed,
            sender=models.Service.categories.through,
            weak=False,
            dispatch_uid="catalogue-version-service-categories",
        )
