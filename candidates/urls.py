from django.urls import path

from .views import candidates, discrepancies, identity, imports, invitations, profiles, units

app_name = "candidates"

urlpatterns = [
    path("", candidates.candidate_list, name="list"),
    path("export.csv", candidates.candidate_export, name="export"),
    path("scores/recalculer/", candidates.recompute_scores, name="recompute_scores"),
    path("moi/", profiles.me, name="me"),
    path("moi/identite/", identity.identity, name="identity"),
    path("moi/donnees.json", identity.my_data, name="my_data"),
    path("moi/suppression/", identity.deletion, name="deletion"),
    path("<int:pk>/", candidates.candidate_detail, name="detail"),
    path("<int:pk>/profil/", profiles.profile, name="profile"),
    path("<int:pk>/identite/", identity.edit_identity, name="edit_identity"),
    path("imports/", imports.imports, name="imports"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/progression.json", imports.import_progress, name="import_progress"),
    path("ueo/", units.units, name="units"),
    # Linking accounts to records (candidates/services/linking/)
    path("invitations/", invitations.invitations, name="invitations"),
    path("invitation/<str:token>/", invitations.invitation, name="invitation"),
    path("<int:pk>/inviter/", invitations.invite, name="invite"),
    path("<int:pk>/annee-d-etudes/", discrepancies.study_year, name="study_year"),
    path("ecarts/", discrepancies.discrepancies, name="discrepancies"),
    path("ecarts/<int:pk>/verifie/", discrepancies.discrepancy_check, name="discrepancy_check"),
]
