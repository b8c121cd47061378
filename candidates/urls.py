from django.urls import path

from . import views

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
]
