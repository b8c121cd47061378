"""Reconciliation with Pix (administrators and the referent): a year, a session."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.access import role_required
from accounts.models import Role

from .. import reconciliation, reports
from .common import chosen_year

RECONCILIATION_SESSIONS_PER_PAGE = 50
RECONCILIATION_MISMATCHES_PER_PAGE = 100


def _reconciliation_csv(rec, name):
    response = HttpResponse(
        reports.to_csv(reconciliation.csv_rows(rec)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@role_required(Role.ADMINISTRATOR, Role.REFERENT)
def reconciliation_year(request, label=None):
    """One year: the mismatches, and each session's counts side by side (enrolled, exported,
    present, results, paid). ``?format=csv`` downloads every line of the year."""
    years, year = chosen_year(request, label)
    if year is None:
        return render(request, "billing/no_year.html")
    rec = reconciliation.for_year(year)
    if request.GET.get("format") == "csv":
        return _reconciliation_csv(rec, f"rapprochement-pix-{year.label}")
    by_session: dict[int, dict] = {}
    for line in rec.lines:
        entry = by_session.setdefault(
            line.session.pk, {"session": line.session, "lines": [], "mismatches": 0}
        )
        entry["lines"].append(line)
        entry["mismatches"] += len(line.mismatches)
    sessions = [
        {**entry, "totals": reconciliation.Reconciliation(entry["lines"]).totals}
        for entry in by_session.values()
    ]
    sessions_page = Paginator(sessions, RECONCILIATION_SESSIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    mismatches_page = Paginator(rec.mismatches, RECONCILIATION_MISMATCHES_PER_PAGE).get_page(
        request.GET.get("ecarts")
    )
    counts = rec.counts()

    def query_without(name):  # the year (and the other list's page) kept across pages
        query = request.GET.copy()
        query.pop(name, None)
        return query.urlencode()

    return render(
        request,
        "billing/reconciliation_year.html",
        {
            "years": years,
            "year": year,
            "rec": rec,
            "totals": rec.totals,
            "counts": [(reconciliation.KIND_LABELS[k], counts[k]) for k in reconciliation.KINDS],
            "sessions_page": sessions_page,
            "page": sessions_page,
            "mismatches_page": mismatches_page,
            "query": query_without("page"),
            "mismatches_query": query_without("ecarts"),
        },
    )


@role_required(Role.ADMINISTRATOR, Role.REFERENT)
def reconciliation_session(request, pk):
    """One session, candidate by candidate."""
    from sessions_app.models import Session

    session = get_object_or_404(Session.objects.select_related("room", "academic_year"), pk=pk)
    rec = reconciliation.for_session(session)
    if request.GET.get("format") == "csv":
        return _reconciliation_csv(
            rec, f"rapprochement-pix-session-{session.date:%Y%m%d}-{session.pk}"
        )
    counts = rec.counts()
    return render(
        request,
        "billing/reconciliation_session.html",
        {
            "session": session,
            "rec": rec,
            "totals": rec.totals,
            "counts": [(reconciliation.KIND_LABELS[k], counts[k]) for k in reconciliation.KINDS],
        },
    )
