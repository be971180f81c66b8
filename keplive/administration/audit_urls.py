from django.urls import path

from keplive.administration import audit_views

urlpatterns = [
    path("audit/", audit_views.audit_log, name="audit"),
    path("audit.csv", audit_views.audit_export, name="audit_export"),
    path("audit/verify/", audit_views.audit_verify, name="audit_verify"),
]
