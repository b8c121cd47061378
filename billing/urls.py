from django.urls import path

from . import views

app_name = "billing"
urlpatterns = [
    path("parametres/", views.parameters, name="parameters"),
    path("parametres/<str:label>/", views.year_parameters, name="year_parameters"),
    path("projection/", views.projection, name="projection"),
    path("tableau-de-bord/", views.dashboard_view, name="dashboard"),
    path(
        "tableau-de-bord/<str:label>/rapport.<str:fmt>",
        views.year_report,
        name="year_report",
    ),
    path("mes-frais/", views.my_fees, name="my_fees"),
    path("recus/<int:pk>/", views.receipt_download, name="receipt"),
    path("frais/", views.fee_list, name="fees"),
    path("frais/<int:pk>/<str:action>/", views.fee_action, name="fee_action"),
    path("releve-gip/", views.gip_statement_view, name="gip_statement"),
]
