"""The referent's dashboard and its yearly report (CSV, PDF)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render

from accounts.access import role_required
from accounts.models import Role
from pixcentre.filters import YearLabelFilters, uses_filters

from .. import dashboard, reconciliation, reports
from .common import chosen_year


@role_required(Role.REFERENT)
@uses_filters(YearLabelFilters)
def dashboard_view(request):
    years, year = chosen_year(request)
    if year is None:
        return render(request, "billing/no_year.html")
    board = dashboard.year_dashboard(year)
    return render(
        request,
        "billing/dashboard.html",
        {
            "years": years,
            "year": year,
            "board": board,
            "f": board.figures,
            "figures": reports.year_report_figures(board),
            "chart": dashboard.chart_data(board),
        },
    )


@role_required(Role.REFERENT)
def year_report(request, label, fmt):
    if fmt not in ("csv", "pdf"):
        raise Http404
    _years, year = chosen_year(request, label)
    board = dashboard.year_dashboard(year)
    counts = reconciliation.for_year(year).counts()
    name = f"rapport-pix-{year.label}"
    if fmt == "csv":
        response = HttpResponse(
            reports.to_csv(reports.year_report_rows(board, counts)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    pdf = reports.to_pdf(
        "billing/pdf/year_report.html",
        {
            "board": board,
            "f": board.figures,
            "figures": reports.year_report_figures(board),
            "reconciliation": list(reports.reconciliation_rows(counts)),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response
