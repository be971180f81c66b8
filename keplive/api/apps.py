from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "keplive.api"
    label = "api"
