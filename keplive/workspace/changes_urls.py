"""Moving an appointment (E4) and the phone calls to citizens that follow."""

from django.urls import URLPattern, path

from keplive.workspace import changes_views

urlpatterns: list[URLPattern] = [
    path("appointments/<str:reference>/move/", changes_views.move, name="move"),
    path("tasks/", changes_views.tasks, name="tasks"),
    path("tasks/<int:task_id>/", changes_views.task, name="task"),
]
