from django.urls import path

from . import linking_views, views

app_name = "candidates"

urlpatterns = [
    path("", views.candidate_list, name="list"),
    path("export.csv", views.candidate_export, name="export"),
    path("scores/recalculer/", views.recompute_scores, name="recompute_scores"),
    path("moi/", views.me, name="me"),
    path("moi/identite/", views.identity, name="identity"),
    path("moi/donnees.json", views.my_data, name="my_data"),
    path("moi/suppression/", views.deletion, name="deletion"),
    path("<int:pk>/", views.candidate_detail, name="detail"),
    path("<int:pk>/profil/", views.profile, name="profile"),
    path("<int:pk>/identite/", views.edit_identity, name="edit_identity"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progression.json", views.import_progress, name="import_progress"),
    path("ueo/", views.units, name="units"),
    # Linking accounts to records (candidates/services/linking.py)
    path("invitations/", linking_views.invitations, name="invitations"),
    path("invitation/<str:token>/", linking_views.invitation, name="invitation"),
    path("<int:pk>/inviter/", linking_views.invite, name="invite"),
    path("<int:pk>/annee-d-etudes/", linking_views.study_year, name="study_year"),
    path("ecarts/", linking_views.discrepancies, name="discrepancies"),
    path("ecarts/<int:pk>/verifie/", linking_views.discrepancy_check, name="discrepancy_check"),
]
