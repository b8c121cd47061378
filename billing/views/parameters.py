"""The referent's cost parameters (with their history, reopening a closed year) and the
what-if projection."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.models import Role
from candidates.models import AcademicYear
from pixcentre.errors import DomainError, refuse_form, refused
from pixcentre.filters import uses_filters

from .. import costs, services
from ..forms import (
    CostParameterForm,
    ProjectionForm,
    ReopenForm,
)

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
    locked = parameter_set.is_locked()
    form = CostParameterForm(request.POST or None, instance=parameter_set)
    if locked:
        for field in form.fields.values():
            field.disabled = True  # shown, not editable: a POST keeps the saved values
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
        except DomainError as error:
            refuse_form(form, error)
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
            "locked": locked,
            "parameter_set": parameter_set,
            "reopen_form": ReopenForm() if locked else None,
            "history": history,
            "fixed": costs.fixed_cost_breakdown(params),
            "fixed_total": costs.fixed_costs(params),
            "full_session_cost": costs.planned_session_cost(
                params.candidates_per_invigilator, True, params
            ),
        },
    )


@role_required(Role.REFERENT)
@require_POST
def reopen_parameters(request, label):
    """A closed year's parameters reopened for a while by the referent, with a reason."""
    year = get_object_or_404(AcademicYear, label=label)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return redirect("billing:year_parameters", label=year.label)
    try:
        parameter_set = services.reopen_cost_parameters(
            year, acting_user=request.user, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        refused(request, error)
    else:
        messages.success(
            request,
            _("Paramètres de coût %(year)s rouverts jusqu’au %(until)s.")
            % {
                "year": year.label,
                "until": formats.date_format(
                    timezone.localtime(parameter_set.reopened_until), "SHORT_DATETIME_FORMAT"
                ),
            },
        )
    return redirect("billing:year_parameters", label=year.label)


@role_required(Role.REFERENT)
@uses_filters(ProjectionForm)
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
            certification=values.get("certification", ""),
        )
    return render(
        request, "billing/projection.html", {"form": form, "result": result, "year": year}
    )
