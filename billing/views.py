"""The referent's cost pages: the year's cost parameters (with history) and the what-if
projection.

Access: the Pix referent only. Administrators (gestionnaires) get 403 like every other role:
the role table gives cost parameters and dashboards to the referent, and the figures an
administrator needs day to day (a fee due) will be shown where they work.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import role_required
from accounts.models import Role
from candidates.models import AcademicYear

from . import costs, services
from .forms import CostParameterForm, ProjectionForm

HISTORY_LENGTH = 50


@role_required(Role.REFERENT)
def parameters(request):
    """The current year's parameters (or a page saying there is no academic year yet)."""
    year = AcademicYear.current()
    if year is None:
        return render(request, "billing/no_year.html")
    return redirect("billing:year_parameters", label=year.label)


@role_required(Role.REFERENT)
def year_parameters(request, label):
    year = get_object_or_404(AcademicYear, label=label)
    parameter_set = services.cost_parameters_for(year)
    params = parameter_set.as_parameters()  # the saved figures: the form edits the instance
    form = CostParameterForm(request.POST or None, instance=parameter_set)
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.update_cost_parameters(
                year,
                acting_user=request.user,
                values=form.parameter_values(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if changes:
                messages.success(
                    request,
                    _("Paramètres de coût %(year)s enregistrés (%(count)s modification(s)).")
                    % {"year": year.label, "count": len(changes)},
                )
            else:
                messages.info(request, _("Aucune valeur n’a changé."))
            return redirect("billing:year_parameters", label=year.label)
    history = parameter_set.changes.select_related("changed_by")[:HISTORY_LENGTH]
    return render(
        request,
        "billing/parameters.html",
        {
            "year": year,
            "years": AcademicYear.objects.all(),
            "form": form,
            "history": history,
            "fixed": costs.fixed_cost_breakdown(params),
            "fixed_total": costs.fixed_costs(params),
            "full_session_cost": costs.planned_session_cost(
                params.candidates_per_invigilator, True, params
            ),
        },
    )


@role_required(Role.REFERENT)
def projection(request):
    asked = any(name in request.GET for name in ProjectionForm.base_fields)
    form = ProjectionForm(request.GET if asked else None, initial=ProjectionForm.INITIAL)
    result = year = None
    if not asked:
        values = ProjectionForm.INITIAL
    elif form.is_valid():
        values = form.cleaned_data
        year = values["year"]
    else:
        values = None
    if values is not None:
        params = services.parameters_for_year(year)
        result = costs.projection(
            values["sessions"],
            values["candidates"],
            values["extension"],
            values["paying_sessions"],
            params,
        )
    return render(
        request, "billing/projection.html", {"form": form, "result": result, "year": year}
    )
