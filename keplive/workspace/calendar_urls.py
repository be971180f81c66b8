"""The calendar (E2) and the in-page reminder's data (E3); the day view is ``workspace:today``."""

from django.urls import path

from keplive.workspace import calendar_views

urlpatterns = [
    path("week/", calendar_views.week, name="week"),
    path("find/", calendar_views.find, name="find"),
    path("appointments/<str:reference>/", calendar_views.appointment, name="appointment"),
    path("upcoming.json", calendar_views.upcoming, name="upcoming"),
]
