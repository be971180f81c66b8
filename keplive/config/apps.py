from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class KepliveConfig(AppConfig):
    name = "keplive.config"
    label = "keplive_config"
    verbose_name = "KEPlive"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from keplive.booking.models import Appointment
        from keplive.config import checks  # noqa: F401 - registers the system checks
        from keplive.config.observability import count_booking
        from keplive.integrations.gsis import checks as _gsis_checks  # noqa: F401
        from keplive.integrations.police import checks as _police_checks  # noqa: F401

        # The bookings counter of /metrics (ADR 0018).
        post_save.connect(count_booking, sender=Appointment, dispatch_uid="keplive.bookings")


class KepliveAdminConfig(admin_apps.AdminConfig):
    """The Django admin, behind the staff's two-factor sign-in (keplive/config/admin_site.py)."""

    default = False  # keplive.config's own app config stays KepliveConfig
    default_site = "keplive.config.admin_site.VerifiedAdminSite"
