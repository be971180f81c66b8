"""KEPs, hours, categories' parameters and the conflict worklist (issue 6 items 3 and 4)."""

from django.urls import path

from keplive.administration import availability_views, keps_views, keps_worklist_views

urlpatterns = [
    path("keps/", keps_views.kep_list, name="keps"),
    path("keps/add/", keps_views.kep_add, name="kep_add"),
    path("keps/<int:pk>/", keps_views.kep_detail, name="kep"),
    path("keps/<int:pk>/edit/", keps_views.kep_edit, name="kep_edit"),
    path(
        "keps/<int:pk>/deactivate/",
        keps_views.kep_set_active,
        {"active": False},
        name="kep_deactivate",
    ),
    path(
        "keps/<int:pk>/reactivate/",
        keps_views.kep_set_active,
        {"active": True},
        name="kep_reactivate",
    ),
    path("keps/<int:pk>/remove/", keps_views.kep_remove, name="kep_remove"),
    path("keps/<int:pk>/hours/<int:weekday>/", keps_views.kep_hours, name="kep_hours"),
    path("keps/<int:pk>/exceptions/add/", keps_views.exception_add, name="kep_exception_add"),
    path(
        "keps/<int:pk>/exceptions/<int:exception_pk>/remove/",
        keps_views.exception_remove,
        name="kep_exception_remove",
    ),
    path("keps/<int:pk>/holidays/add/", keps_views.holiday_add, name="kep_holiday_add"),
    path(
        "keps/<int:pk>/holidays/<int:holiday_pk>/remove/",
        keps_views.holiday_remove,
        name="kep_holiday_remove",
    ),
    # An employee's weekly availability and absences (P3).
    path(
        "keps/<int:kep_id>/employees/<int:employee_id>/",
        availability_views.employee_availability,
        name="employee_availability",
    ),
    path(
        "keps/<int:kep_id>/employees/<int:employee_id>/availability/<int:weekday>/",
        availability_views.availability_day,
        name="employee_availability_day",
    ),
    path(
        "keps/<int:kep_id>/employees/<int:employee_id>/absences/add/",
        availability_views.absence_add,
        name="employee_absence_add",
    ),
    path(
        "keps/<int:kep_id>/employees/<int:employee_id>/absences/<int:absence_id>/remove/",
        availability_views.absence_remove,
        name="employee_absence_remove",
    ),
    path("categories/", keps_views.category_list, name="categories"),
    path("categories/<int:number>/", keps_views.category_edit, name="category"),
    path("worklist/", keps_worklist_views.worklist, name="worklist"),
    path("worklist/<int:pk>/", keps_worklist_views.worklist_item, name="worklist_item"),
    path(
        "worklist/<int:pk>/reassign/",
        keps_worklist_views.worklist_reassign,
        name="worklist_reassign",
    ),
    path("worklist/<int:pk>/move/", keps_worklist_views.worklist_move, name="worklist_move"),
]
