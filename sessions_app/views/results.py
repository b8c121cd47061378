"""Result pages: the candidate's own results, the administrator's import of the Pix Certif
results export, and the statistics (administrators and referent) with a CSV download."""

import csv

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import role_required
from accounts.models import Role
from candidates.models import AcademicYear
from competences import scoring
from competences.models import Competence
from outbox.dispatch import enqueue
from pixcentre.errors import refused
from pixcentre.filters import YearLabelFilters, uses_filters

from ..access import candidate_of
from ..forms import ResultsUploadForm
from ..models import CertificationResult, ResultsImport
from ..services import results, statistics
from .common import candidate_required


def _positioning_levels(candidate) -> dict:
    profile = candidate.profiles.order_by("-measured_at").first()
    return profile.levels if profile else {}


@candidate_required
def mine(request):
    candidate = candidate_of(request.user)
    items = (
        CertificationResult.objects.filter(registration__candidate=candidate)
        .select_related("registration__session__room")
        .order_by("-registration__session__date")
    )
    positioning = _positioning_levels(candidate)
    competences = list(Competence.objects.order_by("code"))
    rows = [
        {
            "result": result,
            "competences": [
                {
                    "code": c.code,
                    "title": c.title,
                    "certified": result.competence_levels.get(c.code),
                    "positioning": positioning.get(c.code),
                }
                for c in competences
            ],
        }
        for result in items
    ]
    return render(
        request,
        "sessions_app/results/mine.html",
        {"rows": rows, "max_score": scoring.max_score(), "has_positioning": bool(positioning)},
    )


@role_required(Role.ADMINISTRATOR)
def upload(request):
    form = ResultsUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = results.import_results(
                upload.read(), file_name=upload.name, acting_user=request.user
            )
        except results.ResultsImportError as error:
            report = error.record
            refused(request, error)
        else:
            messages.success(
                request,
                _(
                    "%(lines)d résultat(s) importé(s) : %(created)d nouveau(x), %(updated)d mis "
                    "à jour. Les candidats sont prévenus par e-mail."
                )
                % {
                    "lines": record.line_count,
                    "created": record.created_count,
                    "updated": record.updated_count,
                },
            )
            return redirect("results:upload")
    imports = ResultsImport.objects.select_related("uploaded_by")[:20]
    return render(
        request,
        "sessions_app/results/upload.html",
        {"form": form, "report": report, "imports": imports},
    )


def _year(request):
    """The year asked for (``?annee=``, or the button's field), else the current one; an
    unknown or unreadable label (NUL, too long) matches no year."""
    label, refused = None, False
    for query in (request.GET, request.POST):  # the address's ?annee=, else the form's field
        form = YearLabelFilters(query)
        label = form.values().get("annee")
        refused = refused or bool(form.errors)
        if label:
            return AcademicYear.objects.filter(label=label).first()
    return None if refused else AcademicYear.current()


@role_required(Role.ADMINISTRATOR, Role.REFERENT)
@uses_filters(YearLabelFilters)
def statistics_page(request):
    year = _year(request)
    year_id = year.pk if year else None
    if request.method == "POST":
        from ..tasks import compute_statistics

        enqueue(compute_statistics, year_id)
        messages.success(request, _("Le calcul des statistiques est lancé."))
        url = redirect("results:statistics").url
        return redirect(f"{url}?annee={year.label}" if year else url)
    snapshot = statistics.latest(year_id)
    return render(
        request,
        "sessions_app/results/statistics.html",
        {
            "year": year,
            "years": AcademicYear.objects.all(),
            "snapshot": snapshot,
            "data": snapshot.data if snapshot else None,
            "chart_labels": {
                "mean": _("Moyenne"),
                "median": _("Médiane"),
                "candidates": _("Candidats"),
                "level": _("Niveau moyen"),
                "positioning": _("Pix de positionnement"),
                "certified": _("Score certifié"),
            },
        },
    )


@role_required(Role.ADMINISTRATOR, Role.REFERENT)
@uses_filters(YearLabelFilters)
def statistics_csv(request):
    year = _year(request)
    snapshot = statistics.latest(year.pk if year else None)
    data = snapshot.data if snapshot else statistics.compute([])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"statistiques-resultats-{year.label if year else 'toutes'}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerows(statistics.csv_rows(data))
    return response
