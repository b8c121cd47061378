"""The GIP statement of a period (administrators and the referent): page, CSV, PDF."""

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import role_required
from accounts.models import Role
from pixcentre.filters import uses_filters

from .. import reports
from ..forms import (
    PeriodForm,
)


@role_required(Role.ADMINISTRATOR, Role.REFERENT)
@uses_filters(PeriodForm)
def gip_statement_view(request):
    today = timezone.localdate()
    default_start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    asked = "start" in request.GET
    form = PeriodForm(
        request.GET if asked else None,
        initial={"start": default_start, "end": today.replace(day=1) - dt.timedelta(days=1)},
    )
    statement = None
    if asked and form.is_valid():
        statement = reports.gip_statement(form.cleaned_data["start"], form.cleaned_data["end"])
        fmt = request.GET.get("format")
        name = f"releve-gip-{statement.start:%Y%m%d}-{statement.end:%Y%m%d}"
        if fmt == "csv":
            response = HttpResponse(
                reports.to_csv(reports.gip_statement_rows(statement)),
                content_type="text/csv; charset=utf-8",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return response
        if fmt == "pdf":
            response = HttpResponse(
                reports.to_pdf("billing/pdf/gip_statement.html", {"statement": statement}),
                content_type="application/pdf",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
            return response
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "billing/gip_statement.html",
        {"form": form, "statement": statement, "query": query.urlencode()},
    )
