"""Invigilation pages, mounted at ``surveillance/`` by ``pixcentre/urls.py``."""

from django.urls import path

from . import invigilation_views as views

app_name = "invigilation"

urlpatterns = [
    path("disponibilites/", views.availability, name="availability"),
    path("disponibilites/<int:pk>/retirer/", views.availability_delete, name="availability_delete"),
    path("mes-sessions/", views.schedule, name="schedule"),
    path("sessions/<int:pk>/", views.session_day, name="session_day"),
    path("sessions/<int:pk>/appel/<int:registration_pk>/", views.mark, name="mark"),
    path("sessions/<int:pk>/incident/", views.incident, name="incident"),
    path("gestion/", views.sessions, name="sessions"),
    path("gestion/sessions/<int:pk>/affecter/", views.assign, name="assign"),
    path(
        "gestion/sessions/<int:pk>/affecter/<int:assignment_pk>/retirer/",
        views.unassign,
        name="unassign",
    ),
    path("gestion/sessions/<int:pk>/finalisation/", views.finalise, name="finalise"),
    path("gestion/sessions/<int:pk>/emargement/", views.attendance_sheet, name="attendance_sheet"),
    path(
        "gestion/sessions/<int:pk>/incidents/<int:incident_pk>/rapport/",
        views.fraud_report,
        name="fraud_report",
    ),
]
