"""Nobody left waiting (A7) and the interpreter digest as the KEP sees it (E12)."""

from django.urls import path

from keplive.workspace import alerts_views

urlpatterns = [
    path("alerts/", alerts_views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/take-over/", alerts_views.take_over, name="alert_take_over"),
    path("interpreters/", alerts_views.interpreter_digests, name="interpreter_digests"),
    path("interpreters/add/", alerts_views.interpreter_request_add, name="interpreter_request_add"),
]
