"""Preparation units (UEO): the enrolment upload and the units' counts."""

from django.contrib import messages
from django.db.models import Count, F, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import role_required
from accounts.models import Role

from .. import services
from ..forms import UnitImportForm
from ..models import PreparationUnit


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def units(request):
    form = UnitImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.import_unit_enrolments(
            form.data_bytes,
            academic_year=form.cleaned_data["academic_year"],
            semester=form.cleaned_data["semester"],
            acting_user=request.user,
        )
        if result.ok:
            messages.success(
                request,
                _(
                    "UEO importées : %(c)s inscriptions créées, %(u)s mises à jour, "
                    "%(n)s inchangées."
                )
                % {"c": result.created, "u": result.updated, "n": result.unchanged},
            )
            return redirect("candidates:units")
    # Query: the units with their enrolment and completion counts.
    unit_list = PreparationUnit.objects.select_related("academic_year").annotate(
        enrolled=Count("enrolments"),
        completed=Count(
            "enrolments", filter=Q(enrolments__courses_completed__gte=F("course_count"))
        ),
    )
    return render(
        request, "candidates/units.html", {"form": form, "result": result, "units": unit_list}
    )
