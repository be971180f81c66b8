"""The outcome of an appointment (E9, E11), "cannot be served remotely" (E14), the white
application (E13) and the day's postal deliveries for ELTA."""

from django.urls import path

from keplive.workspace import outcome_views

urlpatterns = [
    path(
        "appointments/<str:reference>/outcome/",
        outcome_views.record,
        name="outcome_record",
    ),
    path(
        "appointments/<str:reference>/not-servable/",
        outcome_views.not_servable,
        name="outcome_not_servable",
    ),
    path(
        "appointments/<str:reference>/form.pdf",
        outcome_views.form_pdf,
        name="outcome_form_pdf",
    ),
    path(
        "appointments/<str:reference>/white-application/",
        outcome_views.white_application,
        name="outcome_white_application",
    ),
    path(
        "appointments/<str:reference>/white-application.pdf",
        outcome_views.white_application_pdf,
        name="outcome_white_application_pdf",
    ),
    path("postal/", outcome_views.postal, name="outcome_postal"),
    path("postal.csv", outcome_views.postal_csv, name="outcome_postal_csv"),
]
