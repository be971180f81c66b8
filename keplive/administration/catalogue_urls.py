from django.urls import path

from keplive.administration import catalogue_views

urlpatterns = [
    path("services/", catalogue_views.services, name="services"),
    path("services/new/", catalogue_views.add_service, name="service_add"),
    path("services/<int:pk>/", catalogue_views.edit_service, name="service_edit"),
]
