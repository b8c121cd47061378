"""The URLs of sessions_app: four namespaces, each mounted by ``pixcentre/urls.py``.

- ``sessions_app`` at ``sessions/``: sessions, rooms, campaigns, registrations, the offer;
- ``convocations`` at ``convocations/``; ``results`` at ``resultats/``;
- ``invigilation`` at ``surveillance/``.
"""

from django.urls import path

from .views import (
    campaigns,
    convocations,
    habilitations,
    invigilation,
    merge,
    registrations,
    results,
    sessions,
)

app_name = "sessions_app"
urlpatterns = [
    # Administrators
    path("", sessions.session_list, name="sessions"),
    path("calendrier/", sessions.session_calendar, name="calendar"),
    path("nouvelle/", sessions.session_create, name="session_create"),
    path("serie/", sessions.session_series, name="session_series"),
    path("<int:pk>/", sessions.session_detail, name="session"),
    path("candidats/<int:pk>/fusionner/", merge.candidate_merge, name="candidate_merge"),
    path("<int:pk>/statut/", sessions.session_status, name="session_status"),
    path("<int:pk>/liste-attente/deplacer/", sessions.waitlist_move, name="waitlist_move"),
    path("<int:pk>/pix-certif/", sessions.session_pix, name="session_pix"),
    path("<int:pk>/deplacer/", sessions.session_reschedule, name="session_reschedule"),
    path("<int:pk>/modifier/", sessions.session_edit, name="session_edit"),
    path("<int:pk>/affecter/", registrations.session_override, name="session_override"),
    path("salles/", sessions.room_list, name="rooms"),
    path("salles/<int:pk>/", sessions.room_edit, name="room_edit"),
    path("campagnes/", campaigns.campaign_list, name="campaigns"),
    path("campagnes/nouvelle/", campaigns.campaign_create, name="campaign_create"),
    path("campagnes/<int:pk>/", campaigns.campaign_detail, name="campaign"),
    path("campagnes/<int:pk>/modifier/", campaigns.campaign_edit, name="campaign_edit"),
    path("campagnes/<int:pk>/attribuer/", campaigns.campaign_allocate, name="campaign_allocate"),
    path("export/", sessions.export, name="export"),
    path("habilitations/", habilitations.habilitations, name="habilitations"),
    path("inscriptions/<int:pk>/absent/", registrations.registration_no_show, name="no_show"),
    path("inscriptions/<int:pk>/prepaiement/", registrations.registration_prepaid, name="prepaid"),
    # Candidates (and administrators for cancelling)
    path("inscriptions/<int:pk>/annuler/", registrations.registration_cancel, name="cancel"),
    path(
        "inscriptions/<int:pk>/certification-complementaire/",
        registrations.registration_complementary,
        name="complementary",
    ),
    path("offre/", registrations.offer, name="offer"),
    path("offre/campagnes/<int:pk>/", registrations.apply, name="apply"),
    path("offre/sessions/<int:pk>/inscription/", registrations.register, name="register"),
    path("mon-inscription/", registrations.mine, name="mine"),
]

convocation_patterns = (
    [
        path("", convocations.index, name="index"),
        path("session/<int:pk>/", convocations.session_detail, name="session"),
        path("session/<int:pk>/progression.json", convocations.progress_json, name="progress"),
        path("<int:pk>/renvoyer/", convocations.resend, name="resend"),
        path("<int:pk>/adresse/", convocations.set_address, name="set_address"),
        path("session/<int:pk>/convocations.pdf", convocations.printable, name="printable"),
        path("moi/", convocations.mine, name="mine"),
        path("inscription/<int:pk>/convocation.pdf", convocations.download_pdf, name="pdf"),
        path("inscription/<int:pk>/invitation.ics", convocations.download_ics, name="ics"),
    ],
    "convocations",
)

results_patterns = (
    [
        path("moi/", results.mine, name="mine"),
        path("import/", results.upload, name="upload"),
        path("statistiques/", results.statistics_page, name="statistics"),
        path("statistiques.csv", results.statistics_csv, name="statistics_csv"),
    ],
    "results",
)

invigilation_patterns = (
    [
        path("disponibilites/", invigilation.availability, name="availability"),
        path(
            "disponibilites/<int:pk>/retirer/",
            invigilation.availability_delete,
            name="availability_delete",
        ),
        path("mes-sessions/", invigilation.schedule, name="schedule"),
        path("sessions/<int:pk>/", invigilation.session_day, name="session_day"),
        path("sessions/<int:pk>/appel/<int:registration_pk>/", invigilation.mark, name="mark"),
        path("sessions/<int:pk>/appel/tous-presents/", invigilation.mark_all, name="mark_all"),
        path("sessions/<int:pk>/appel/code/", invigilation.mark_code, name="mark_code"),
        path("presence/<str:token>/", invigilation.presence, name="presence"),
        path("sessions/<int:pk>/incident/", invigilation.incident, name="incident"),
        path("gestion/", invigilation.sessions, name="sessions"),
        path("gestion/sessions/<int:pk>/affecter/", invigilation.assign, name="assign"),
        path(
            "gestion/sessions/<int:pk>/affecter/<int:assignment_pk>/retirer/",
            invigilation.unassign,
            name="unassign",
        ),
        path("gestion/sessions/<int:pk>/finalisation/", invigilation.finalise, name="finalise"),
        path(
            "gestion/sessions/<int:pk>/emargement/",
            invigilation.attendance_sheet,
            name="attendance_sheet",
        ),
        path(
            "gestion/sessions/<int:pk>/incidents/<int:incident_pk>/rapport/",
            invigilation.fraud_report,
            name="fraud_report",
        ),
    ],
    "invigilation",
)
