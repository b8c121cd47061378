"""Cost parameters of a year: defaults, validation, history of changes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing import costs, services
from billing.models import CostParameterChange, CostParameterSet

pytestmark = pytest.mark.django_db


def test_a_new_year_gets_the_seeds_values(year):
    parameter_set = services.cost_parameters_for(year)
    assert parameter_set.as_parameters() == costs.SEED_PARAMETERS
    assert services.cost_parameters_for(year) == parameter_set  # one set per year


def test_support_weeks_follow_a_shorter_year(db):
    from candidates.models import AcademicYear

    short = AcademicYear.objects.create(
        label="2027-S1", start_date=dt.date(2027, 9, 1), end_date=dt.date(2028, 1, 31)
    )
    assert services.cost_parameters_for(short).admin_support_weeks == 21  # 153 days


def test_year_without_parameters_computes_with_the_seeds(year):
    assert services.parameters_for_year(year) == costs.SEED_PARAMETERS
    assert services.parameters_for_year(None) == costs.SEED_PARAMETERS
    assert not CostParameterSet.objects.exists()


def test_changes_are_kept_with_who_when_before_after(year, referent):
    when = timezone.make_aware(dt.datetime(2025, 10, 1, 9, 0))
    changes = services.update_cost_parameters(
        year,
        acting_user=referent,
        values={"hourly_cost": "19.20", "referent_days": 6, "gip_share": Decimal("10.00")},
        note="Barème 2025",
        now=when,
    )
    assert sorted((c.field, c.old_value, c.new_value) for c in changes) == [
        ("hourly_cost", "18.71", "19.20"),
        ("referent_days", "4", "6"),
    ]  # the GIP share did not change: no row
    row = CostParameterChange.objects.get(field="hourly_cost")
    assert (row.changed_by, row.changed_at, row.note) == (referent, when, "Barème 2025")
    assert row.field_label == "coût horaire chargé (€)"
    params = services.parameters_for_year(year)
    assert params.hourly_cost == Decimal("19.20") and params.referent_days == 6


@pytest.mark.usefixtures("during_the_year")  # a closed year's parameters are locked
def test_same_amount_written_differently_is_no_change(year, referent):
    assert (
        services.update_cost_parameters(
            year, acting_user=referent, values={"hourly_cost": "18.710"}
        )
        == []
    )
    assert not CostParameterChange.objects.exists()


@pytest.mark.usefixtures("during_the_year")  # a closed year's parameters are locked
def test_a_years_parameters_change_its_costs(year, referent):
    services.update_cost_parameters(
        year, acting_user=referent, values={"hourly_cost": "20.00", "admin_minutes_per_session": 0}
    )
    params = services.parameters_for_year(year)
    # 30 × 160 min = 80 h × 20 €
    assert costs.projection(30, 20, True, 0, params)["variable_cost"] == Decimal("1600.00")


@pytest.mark.usefixtures("during_the_year")  # a closed year's parameters are locked
def test_fee_above_45_euros_is_refused_with_a_clear_message(year, referent):
    with pytest.raises(ValidationError) as refused:
        services.update_cost_parameters(
            year, acting_user=referent, values={"external_fee": "45.01"}
        )
    assert "ne peuvent pas dépasser 45 €" in " ".join(refused.value.message_dict["external_fee"])
    assert services.parameters_for_year(year).external_fee == Decimal("45.00")
    assert not CostParameterChange.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hourly_cost", "-1"),
        ("candidates_per_invigilator", 0),
        ("mission_days", 0),
        ("hours_per_day", "0"),
        ("admin_support_days_per_week", "8"),
    ],
)
@pytest.mark.usefixtures("during_the_year")  # a closed year's parameters are locked
def test_nonsense_values_are_refused(year, referent, field, value):
    with pytest.raises(ValidationError) as refused:
        services.update_cost_parameters(year, acting_user=referent, values={field: value})
    assert field in refused.value.message_dict


def test_the_database_refuses_a_fee_above_45_euros(year):
    parameter_set = services.cost_parameters_for(year)
    with pytest.raises(IntegrityError), transaction.atomic():
        CostParameterSet.objects.filter(pk=parameter_set.pk).update(external_fee=Decimal("46"))


def test_only_cost_parameters_can_be_changed(year, referent):
    with pytest.raises(ValueError):
        services.update_cost_parameters(year, acting_user=referent, values={"year": None})
