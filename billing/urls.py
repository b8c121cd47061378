from django.urls import path, register_converter

from . import views

app_name = "billing"


class YearLabelConverter:
    """An academic year's label: like ``str``, without NUL, which PostgreSQL refuses in a
    query (a 500 instead of a 404)."""

    regex = "[^/\x00]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(YearLabelConverter, "year_label")
urlpatterns = [
    path("parametres/", views.parameters, name="parameters"),
    path("parametres/<year_label:label>/", views.year_parameters, name="year_parameters"),
    path(
        "parametres/<year_label:label>/rouvrir/",
        views.reopen_parameters,
        name="reopen_parameters",
    ),
    path("projection/", views.projection, name="projection"),
    path("tableau-de-bord/", views.dashboard_view, name="dashboard"),
    path(
        "tableau-de-bord/<year_label:label>/rapport.<str:fmt>",
        views.year_report,
        name="year_report",
    ),
    path("mes-frais/", views.my_fees, name="my_fees"),
    path("reserver/<int:pk>/", views.book, name="book"),
    path("recus/<int:pk>/", views.receipt_download, name="receipt"),
    path("frais/", views.fee_list, name="fees"),
    path("frais/<int:pk>/<str:action>/", views.fee_action, name="fee_action"),
    path("releve-gip/", views.gip_statement_view, name="gip_statement"),
    path("rapprochement/", views.reconciliation_year, name="reconciliation"),
    path(
        "rapprochement/<year_label:label>/",
        views.reconciliation_year,
        name="reconciliation_year",
    ),
    path(
        "rapprochement/session/<int:pk>/",
        views.reconciliation_session,
        name="reconciliation_session",
    ),
]
