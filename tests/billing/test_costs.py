"""Cost formulas (billing/costs.py): the seed's figures must come out of the code."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from billing import costs
from billing.costs import SEED_PARAMETERS as SEED
from billing.costs import CostParameters


def test_seed_parameters_are_the_seeds_values():
    assert SEED.hourly_cost == Decimal("18.71")
    assert SEED.admin_minutes_per_session == 50
    assert (SEED.invigilation_minutes, SEED.extension_minutes) == (120, 40)
    assert SEED.candidates_per_invigilator == 20
    assert (SEED.external_fee, SEED.gip_share) == (Decimal("45"), Decimal("10"))
    assert (SEED.referent_days, SEED.mission_cost, SEED.mission_days) == (4, 500, 2)
    assert SEED.admin_support_days_per_week == Decimal("0.5")


# --- variable costs ----------------------------------------------------------------------------


def test_thirty_sessions_of_twenty_with_the_extension_cost_1964_55():
    result = costs.projection(30, 20, True, 0, SEED)
    assert result["variable_cost"] == Decimal("1964.55")
    assert result["minutes_per_session"] == 160 + 50
    assert result["paid_hours"] == Decimal("105.00")


def test_thirty_sessions_of_twenty_without_the_extension_cost_1590_35():
    assert costs.projection(30, 20, False, 0, SEED)["variable_cost"] == Decimal("1590.35")


def test_twenty_five_candidates_need_two_invigilators():
    result = costs.projection(1, 25, False, 0, SEED)
    assert result["invigilators_per_session"] == 2
    assert result["minutes_per_session"] == 2 * 120 + 50
    assert costs.planned_session_cost(25, False, SEED) == costs.session_variable_cost(2, 120, SEED)


def test_planned_cost_of_one_seed_session():
    # 210 min × 18.71 € / 60 = 65.485 → half up → 65.49
    assert costs.planned_session_cost(20, True, SEED) == Decimal("65.49")
    assert costs.planned_session_cost(20, False, SEED) == Decimal("53.01")  # 53.0116…


def test_a_year_is_priced_once_not_session_by_session():
    """Adding 30 rounded session costs would give 1964.70, not the seed's 1964.55."""
    per_session = costs.planned_session_cost(20, True, SEED)
    assert per_session * 30 != costs.projection(30, 20, True, 0, SEED)["variable_cost"]
    minutes = sum(costs.planned_session_minutes(20, True, SEED) for _ in range(30))
    assert costs.cost_of_minutes(minutes, SEED) == Decimal("1964.55")


def test_actual_cost_follows_assignments_and_attendance():
    # Planned for 20 (1 invigilator), but 2 were assigned and someone had extra time.
    assert costs.session_variable_cost(2, 160, SEED) == costs.cost_of_minutes(370, SEED)
    assert costs.session_variable_cost(2, 160, SEED) > costs.planned_session_cost(20, True, SEED)


def test_empty_session_still_costs_its_administrative_work():
    assert costs.planned_session_cost(0, True, SEED) == costs.cost_of_minutes(50, SEED)


def test_a_years_own_parameters_change_the_cost():
    dearer = replace(SEED, hourly_cost=Decimal("20.00"), candidates_per_invigilator=15)
    # 20 candidates now need 2 invigilators: 30 × (2 × 160 + 50) min = 185 h × 20 €
    assert costs.projection(30, 20, True, 0, dearer)["variable_cost"] == Decimal("3700.00")


def test_money_rounds_half_up_to_the_cent():
    assert costs.money(Decimal("0.005")) == Decimal("0.01")
    assert costs.money(Decimal("2.675")) == Decimal("2.68")
    assert costs.money(Decimal("2.674")) == Decimal("2.67")


# --- fixed costs -------------------------------------------------------------------------------


def test_fixed_costs_of_the_seed_line_by_line():
    lines = costs.fixed_cost_breakdown(SEED)
    assert lines["referent_missions"] == Decimal("1000.00")  # 4 days × 500 € / 2 days
    assert lines["referent_time"] == Decimal("0.00")  # the seed does not price it
    assert lines["admin_support"] == Decimal("3405.22")  # 52 × ½ day × 7 h × 18.71 €
    assert costs.fixed_costs(SEED) == sum(lines.values())


def test_mission_costs_are_prorated():
    assert costs.fixed_cost_breakdown(replace(SEED, referent_days=3))["referent_missions"] == (
        Decimal("750.00")
    )


def test_weeks_argument_overrides_the_parameter():
    # 10 weeks × 3.5 h × 18.71 € = 654.85 €
    assert costs.fixed_cost_breakdown(SEED, weeks=10)["admin_support"] == Decimal("654.85")
    assert costs.fixed_costs(SEED, weeks=0) == Decimal("1000.00")


def test_referent_time_when_a_year_prices_it():
    params = replace(SEED, referent_daily_cost=Decimal("250.00"))
    assert costs.fixed_costs(params) == costs.fixed_costs(SEED) + Decimal("1000.00")


def test_weeks_of_an_academic_year():
    assert costs.weeks_between(dt.date(2025, 9, 1), dt.date(2026, 8, 31)) == 52
    assert costs.weeks_between(dt.date(2026, 1, 5), dt.date(2026, 1, 11)) == 1
    assert costs.weeks_between(dt.date(2026, 1, 5), dt.date(2026, 1, 10)) == 0


# --- external candidates -----------------------------------------------------------------------


def test_three_paying_sessions_cover_the_variable_costs():
    result = costs.projection(30, 20, True, 3, SEED)
    assert result["external_net_revenue"] == Decimal("2100.00")  # 3 × 20 × (45 − 10)
    assert result["gip_share"] == Decimal("600.00")
    assert result["external_net_revenue"] >= result["variable_cost"]
    assert result["paying_sessions_to_cover_variable"] == 3
    two = costs.projection(30, 20, True, 2, SEED)
    assert two["external_net_revenue"] < two["variable_cost"]


def test_balance_is_net_revenue_minus_all_costs():
    result = costs.projection(30, 20, True, 3, SEED)
    assert result["fixed_cost"] == costs.fixed_costs(SEED)
    assert result["total_cost"] == result["variable_cost"] + result["fixed_cost"]
    assert result["balance"] == result["external_net_revenue"] - result["total_cost"]
    assert result["balance"] < 0


def test_paying_sessions_to_cover_everything():
    result = costs.projection(30, 20, True, 0, SEED)
    needed = result["paying_sessions_to_cover_total"]
    enough = costs.projection(30, 20, True, needed, SEED)
    short = costs.projection(30, 20, True, needed - 1, SEED)
    assert enough["balance"] >= 0 > short["balance"]


def test_no_cover_when_a_paying_candidate_brings_nothing():
    free = replace(SEED, external_fee=Decimal("10.00"))
    assert costs.projection(30, 20, True, 3, free)["paying_sessions_to_cover_variable"] is None
    assert costs.projection(0, 20, True, 0, SEED)["paying_sessions_to_cover_variable"] == 0


def test_gip_share_only_counts_paying_candidates():
    assert costs.gip_share_owed(0, SEED) == Decimal("0.00")
    assert costs.gip_share_owed(7, SEED) == Decimal("70.00")
    assert costs.external_net_revenue(7, SEED) == Decimal("245.00")


# --- guards ------------------------------------------------------------------------------------


def test_fee_above_45_euros_is_refused():
    with pytest.raises(ValueError, match="external_fee"):
        CostParameters(external_fee=Decimal("45.01"))
    assert CostParameters(external_fee=Decimal("45.00")).external_fee == costs.MAX_EXTERNAL_FEE


@pytest.mark.parametrize(
    "change",
    [
        {"hourly_cost": Decimal("-1")},
        {"candidates_per_invigilator": 0},
        {"mission_days": 0},
        {"gip_share": Decimal("-0.01")},
    ],
)
def test_nonsense_parameters_are_refused(change):
    with pytest.raises(ValueError):
        CostParameters(**change)


def test_projection_refuses_more_paying_sessions_than_sessions():
    with pytest.raises(ValueError):
        costs.projection(2, 20, False, 3, SEED)
