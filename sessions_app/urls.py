from django.urls import path

from . import views

app_name = "sessions_app"
urlpatterns = [
    # Administrators
    path("", views.session_list, name="sessions"),
    path("calendrier/", views.session_calendar, name="calendar"),
    path("nouvelle/", views.session_create, name="session_create"),
    path("serie/", views.session_series, name="session_series"),
    path("<int:pk>/", views.session_detail, name="session"),
    path("<int:pk>/statut/", views.session_status, name="session_status"),
    path("<int:pk>/pix-certif/", views.session_pix, name="session_pix"),
    path("<int:pk>/deplacer/", views.session_reschedule, name="session_reschedule"),
    path("<int:pk>/modifier/", views.session_edit, name="session_edit"),
    path("<int:pk>/affecter/", views.session_override, name="session_override"),
    path("salles/", views.room_list, name="rooms"),
    path("salles/<int:pk>/", views.room_edit, name="room_edit"),
    path("campagnes/", views.campaign_list, name="campaigns"),
    path("campagnes/nouvelle/", views.campaign_create, name="campaign_create"),
    path("campagnes/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campagnes/<int:pk>/attribuer/", views.campaign_allocate, name="campaign_allocate"),
    path("export/", views.export, name="export"),
    path("inscriptions/<int:pk>/absent/", views.registration_no_show, name="no_show"),
    path("inscriptions/<int:pk>/prepaiement/", views.registration_prepaid, name="prepaid"),
    # Candidates (and administrators for cancelling)
    path("inscriptions/<int:pk>/annuler/", views.registration_cancel, name="cancel"),
    path(
        "inscriptions/<int:pk>/certification-complementaire/",
        views.registration_complementary,
        name="complementary",
    ),
    path("offre/", views.offer, name="offer"),
    path("offre/campagnes/<int:pk>/", views.apply, name="apply"),
    path("offre/sessions/<int:pk>/inscription/", views.register, name="register"),
    path("mon-inscription/", views.mine, name="mine"),
]
