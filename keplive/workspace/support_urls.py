from django.urls import path

from keplive.workspace import support_views

urlpatterns = [
    path("support/", support_views.threads, name="support"),
    path("support/<int:pk>/", support_views.thread, name="support_thread"),
]
