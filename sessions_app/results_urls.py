from django.urls import path

from . import results_views as views

app_name = "results"
urlpatterns = [
    path("moi/", views.mine, name="mine"),
    path("import/", views.upload, name="upload"),
    path("statistiques/", views.statistics_page, name="statistics"),
    path("statistiques.csv", views.statistics_csv, name="statistics_csv"),
]
