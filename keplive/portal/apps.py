from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "keplive.portal"
    label = "portal"
