"""Billing workflows: reading and changing a year's cost parameters (with their history)."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from . import costs
from .models import CostParameterChange, CostParameterSet


def cost_parameters_for(year) -> CostParameterSet:
    """The year's parameter set, created with the seed's values the first time it is asked for.

    The administrative support weeks default to the year's full weeks (52 for a 12-month year).
    """
    parameter_set, _created = CostParameterSet.objects.get_or_create(
        year=year,
        defaults={"admin_support_weeks": costs.weeks_between(year.start_date, year.end_date)},
    )
    return parameter_set


def parameters_for_year(year=None) -> costs.CostParameters:
    """The figures to compute with: the year's when it has some, else the seed's."""
    if year is None:
        return costs.SEED_PARAMETERS
    parameter_set = CostParameterSet.objects.filter(year=year).first()
    return parameter_set.as_parameters() if parameter_set else costs.SEED_PARAMETERS


def update_cost_parameters(year, *, acting_user, values: dict, note: str = "", now=None):
    """Change some of the year's cost parameters; returns the changes recorded (maybe none)."""
    with transaction.atomic(durable=True):
        return apply_cost_parameter_changes(
            year, acting_user=acting_user, values=values, note=note, now=now
        )


def apply_cost_parameter_changes(year, *, acting_user, values: dict, note: str = "", now=None):
    """``update_cost_parameters`` inside the caller's transaction (the demo loader uses it).

    The row is locked, the new values validated (``ValidationError`` with the field's French
    message, e.g. a fee above 45 €), then one ``CostParameterChange`` is written per field whose
    value really changed (18.7 and 18.70 are the same amount).
    """
    unknown = set(values) - set(CostParameterSet.PARAMETER_FIELDS)
    if unknown:
        raise ValueError(f"not cost parameters: {sorted(unknown)}")
    cost_parameters_for(year)
    parameter_set = CostParameterSet.objects.select_for_update().get(year=year)
    now = now or timezone.now()
    changes = []
    for name, new in values.items():
        field = CostParameterSet._meta.get_field(name)
        old = getattr(parameter_set, name)
        new = field.to_python(new)
        if new == old:
            continue
        setattr(parameter_set, name, new)
        changes.append(
            CostParameterChange(
                parameter_set=parameter_set,
                changed_by=acting_user,
                changed_at=now,
                field=name,
                old_value=_as_text(field, old),
                new_value=_as_text(field, new),
                note=note,
            )
        )
    if not changes:
        return []
    parameter_set.full_clean()
    parameter_set.save()
    return CostParameterChange.objects.bulk_create(changes)


def _as_text(field, value) -> str:
    """Stored form of a value in the history: decimals with their field's places."""
    if getattr(field, "decimal_places", None) is not None:
        return str(field.to_python(value).quantize(Decimal(1).scaleb(-field.decimal_places)))
    return str(value)
