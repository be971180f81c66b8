from django.urls import path

from keplive.administration import support_views

urlpatterns = [
    path("support/", support_views.threads, name="support"),
    path("support/<int:pk>/", support_views.thread, name="support_thread"),
    path("support/<int:pk>/close/", support_views.close, name="support_close"),
]
