from django.urls import path, register_converter

from .views import bookings, dashboard, fees, parameters, reconciliation, statements

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
    path("parametres/", parameters.parameters, name="parameters"),
    path("parametres/<year_label:label>/", parameters.year_parameters, name="year_parameters"),
    path(
        "parametres/<year_label:label>/rouvrir/",
        parameters.reopen_parameters,
        name="reopen_parameters",
    ),
    path("projection/", parameters.projection, name="projection"),
    path("tableau-de-bord/", dashboard.dashboard_view, name="dashboard"),
    path(
        "tableau-de-bord/<year_label:label>/rapport.<str:fmt>",
        dashboard.year_report,
        name="year_report",
    ),
    path("mes-frais/", fees.my_fees, name="my_fees"),
    path("reserver/<int:pk>/", bookings.book, name="book"),
    path("recus/<int:pk>/", fees.receipt_download, name="receipt"),
    path("frais/", fees.fee_list, name="fees"),
    path("frais/<int:pk>/<str:action>/", fees.fee_action, name="fee_action"),
    path("releve-gip/", statements.gip_statement_view, name="gip_statement"),
    path("rapprochement/", reconciliation.reconciliation_year, name="reconciliation"),
    path(
        "rapprochement/<year_label:label>/",
        reconciliation.reconciliation_year,
        name="reconciliation_year",
    ),
    path(
        "rapprochement/session/<int:pk>/",
        reconciliation.reconciliation_session,
        name="reconciliation_session",
    ),
]
