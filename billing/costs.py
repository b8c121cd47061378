"""What the certification centre costs, and what external candidates bring (pure, no database).

Every figure comes from the French seed ("Coûts de mise en œuvre", "Ouverture du centre aux
candidats extérieurs"); ``CostParameters()`` holds the seed's values, and a year's own values
come from ``billing.models.CostParameterSet.as_parameters()``.

Money is ``Decimal`` rounded to the cent with ROUND_HALF_UP, **once, at the end**: minutes are
integers, so a year's variable cost is the sum of its sessions' minutes priced in one go. Pricing
each session first and adding the rounded amounts drifts: the seed's 30 sessions × 210 min cost
30 × 65.49 = 1,964.70 € that way, instead of the seed's 105 h × 18.71 € = 1,964.55 €.

Variable cost of a session (seed, "Paramètres de coût variable")::

    (invigilators × invigilation minutes + administrative minutes) × hourly cost / 60

    seed: 30 sessions of 20 with the extension = 30 × (1 × 160 + 50) min = 6,300 min = 105 h
          105 h × 18.71 € = 1,964.55 € (the seed rounds it to "1965 €")
          without the extension: 30 × (120 + 50) = 5,100 min = 85 h → 1,590.35 €

Fixed cost of a year (seed, "Paramètres de coût fixe"); the seed gives no total, so these are
our readings, each one a parameter:

* the referent's missions: "4 jours à minima … frais de mission de l'ordre de 500 € pour deux
  jours" → referent days × mission cost / mission days = 4 × 500 / 2 = 1,000.00 €, prorated
  (3 days cost 750 €, not two blocks);
* the referent's own time: the seed names the extra workload but prices nothing, so
  ``referent_daily_cost`` is 0 € by default (a year may set one);
* administrative support: "1/2 journée par semaine", priced at the seed's only staff rate, the
  loaded hourly cost of administrative work (18.71 €), with a 7-hour working day (our choice,
  the French statutory 35 h / 5 days) over 52 weeks (our choice: the full weeks of a 12-month
  academic year, see ``weeks_between``) → 52 × 0.5 × 7 h × 18.71 € = 182 h × 18.71 € =
  3,405.22 €.

  Seed total: 1,000.00 + 0.00 + 3,405.22 = 4,405.22 € a year.

External candidates (seed, "Ouverture du centre aux candidats extérieurs"): the fee cannot
exceed 45 €; 10 € per paying candidate goes back to the GIP Pix. Staff sessions owe nothing to
the GIP, students pay nothing: only paying candidates enter these sums. Seed's claim:
3 paying sessions × 20 × (45 − 10) = 2,100 € ≥ 1,964.55 €, so 3 paying sessions out of 30 cover
the variable costs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from sessions_app.staffing import exam_minutes, invigilation_minutes, invigilators_needed

CENT = Decimal("0.01")
MAX_EXTERNAL_FEE = Decimal("45.00")  # legal ceiling (seed: "ne peut excéder 45 €")
MINUTES_PER_HOUR = 60


def hours(minutes: int) -> Decimal:
    """Minutes as hours with two decimals (170 → 2.83)."""
    return (Decimal(minutes) / MINUTES_PER_HOUR).quantize(CENT, rounding=ROUND_HALF_UP)


def money(amount) -> Decimal:
    """``amount`` in euros, rounded to the cent, half up (0.005 → 0.01)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CostParameters:
    """One academic year's cost figures; the defaults are the seed's."""

    hourly_cost: Decimal = Decimal("18.71")  # loaded cost of an hour of administrative work
    admin_minutes_per_session: int = 50  # creating and managing one session
    # Each invigilator, per session, and what extra time adds: the core Pix case (1 h 45 test),
    # scaled to shorter tests (sessions_app.staffing: 60 + 18 min for a 45-minute Pix+ Droit).
    invigilation_minutes: int = 120  # each invigilator, per session
    extension_minutes: int = 40  # added when a candidate has extra time
    candidates_per_invigilator: int = 20  # one invigilator per started block
    external_fee: Decimal = Decimal("45.00")  # charged to an external candidate, ≤ 45 €
    gip_share: Decimal = Decimal("10.00")  # paid back to the GIP Pix per paying candidate
    referent_days: int = 4  # the referent's yearly days on Pix (seed: "4 jours à minima")
    referent_daily_cost: Decimal = Decimal("0.00")  # the seed does not price the referent's time
    mission_cost: Decimal = Decimal("500.00")  # mission costs for ...
    mission_days: int = 2  # ... this many referent days
    admin_support_days_per_week: Decimal = Decimal("0.5")  # administrative support
    hours_per_day: Decimal = Decimal("7")  # our choice: 35 h / 5 days
    admin_support_weeks: int = 52  # our choice: the full weeks of a 12-month academic year

    def __post_init__(self):
        # A guard for callers that build parameters by hand; the model's validation gives
        # people the translated messages.
        for field in fields(self):
            value = getattr(self, field.name)
            if value < 0:
                raise ValueError(f"{field.name} must be >= 0, got {value}")
        for name in ("candidates_per_invigilator", "mission_days"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1")
        if self.external_fee > MAX_EXTERNAL_FEE:
            raise ValueError(f"external_fee must not exceed {MAX_EXTERNAL_FEE}")

    def as_dict(self) -> dict:
        return asdict(self)


SEED_PARAMETERS = CostParameters()


# --- Variable costs --------------------------------------------------------------------------


def session_minutes(invigilators: int, minutes: int, params: CostParameters) -> int:
    """Paid minutes of one session: each invigilator's minutes plus the administrative work."""
    if invigilators < 0 or minutes < 0:
        raise ValueError("invigilators and minutes must be >= 0")
    return invigilators * minutes + params.admin_minutes_per_session


def planned_session_minutes(
    capacity: int, extra_time: bool, params: CostParameters, certification: str = ""
) -> int:
    """Paid minutes of a session planned for ``capacity`` candidates of ``certification`` (a
    Pix label, '' = core Pix), before anyone registers."""
    invigilators = invigilators_needed(capacity, params.candidates_per_invigilator)
    minutes = invigilation_minutes(
        extra_time,
        params.invigilation_minutes,
        params.extension_minutes,
        exam_minutes(certification),
    )
    return session_minutes(invigilators, minutes, params)


def cost_of_minutes(minutes: int, params: CostParameters) -> Decimal:
    """Price paid minutes at the hourly cost, rounded once."""
    return money(Decimal(minutes) * params.hourly_cost / MINUTES_PER_HOUR)


def session_variable_cost(invigilators: int, minutes: int, params: CostParameters) -> Decimal:
    """Cost of one session from its staffing: planned (invigilators needed for its capacity) or
    actual (invigilators assigned, minutes they were mobilised). To add sessions up, add their
    ``session_minutes`` and call ``cost_of_minutes`` once (see the module docstring)."""
    return cost_of_minutes(session_minutes(invigilators, minutes, params), params)


def planned_session_cost(
    capacity: int, extra_time: bool, params: CostParameters, certification: str = ""
) -> Decimal:
    """Cost of a session planned for ``capacity`` candidates (seed: 20 with extra time →
    210 min → 65.49 €; 20 of Pix+ Droit with extra time → 78 + 50 min → 39.91 €)."""
    return cost_of_minutes(
        planned_session_minutes(capacity, extra_time, params, certification), params
    )


# --- Fixed costs ------------------------------------------------------------------------------


def weeks_between(start: dt.date, end: dt.date) -> int:
    """Full weeks from ``start`` to ``end`` included (2025-09-01 → 2026-08-31: 365 days → 52)."""
    if end < start:
        raise ValueError("end must not be before start")
    return ((end - start).days + 1) // 7


def fixed_cost_breakdown(params: CostParameters, weeks: int | None = None) -> dict[str, Decimal]:
    """The year's fixed costs line by line, each rounded to the cent.

    ``weeks`` overrides ``params.admin_support_weeks`` (for instance the weeks left in a year).
    """
    weeks = params.admin_support_weeks if weeks is None else weeks
    if weeks < 0:
        raise ValueError("weeks must be >= 0")
    support_hours = weeks * params.admin_support_days_per_week * params.hours_per_day
    return {
        "referent_missions": money(
            Decimal(params.referent_days) * params.mission_cost / params.mission_days
        ),
        "referent_time": money(params.referent_days * params.referent_daily_cost),
        "admin_support": money(support_hours * params.hourly_cost),
    }


def fixed_costs(params: CostParameters, weeks: int | None = None) -> Decimal:
    """The year's fixed costs: the sum of ``fixed_cost_breakdown`` (seed: 4,405.22 €)."""
    return sum(fixed_cost_breakdown(params, weeks).values(), Decimal("0.00"))


# --- External candidates ----------------------------------------------------------------------


def gip_share_owed(paying_candidates: int, params: CostParameters) -> Decimal:
    """What goes back to the GIP Pix for ``paying_candidates`` (staff and students: none)."""
    return money(paying_candidates * params.gip_share)


def external_net_revenue(paying_candidates: int, params: CostParameters) -> Decimal:
    """Fees collected minus the GIP share."""
    return money(paying_candidates * (params.external_fee - params.gip_share))


def _sessions_to_cover(amount: Decimal, net_per_session: Decimal) -> int | None:
    if amount <= 0:
        return 0
    if net_per_session <= 0:
        return None  # paying sessions never cover anything
    quotient, remainder = divmod(amount, net_per_session)
    return int(quotient) + (1 if remainder else 0)


# --- What-if projection -----------------------------------------------------------------------


def projection(
    sessions: int,
    candidates: int,
    extension: bool,
    paying_sessions: int,
    params: CostParameters = SEED_PARAMETERS,
    weeks: int | None = None,
    certification: str = "",
) -> dict:
    """A year of ``sessions`` sessions of ``candidates`` candidates each, ``paying_sessions``
    of them filled with external (paying) candidates, all sitting ``certification`` (a Pix
    label; '' = core Pix, the seed's case).

    Amounts are ``Decimal`` euros rounded to the cent; ``balance`` is net external revenue minus
    all costs (negative: what the university pays). ``paying_sessions_to_cover_variable`` (and
    ``…_total``) is the smallest number of paying sessions whose net revenue covers the variable
    (all) costs, or None when a paying session brings nothing (fee ≤ GIP share, or empty
    sessions).
    """
    if sessions < 0 or candidates < 0 or paying_sessions < 0:
        raise ValueError("sessions, candidates and paying sessions must be >= 0")
    if paying_sessions > sessions:
        raise ValueError("paying sessions cannot outnumber sessions")

    invigilators = invigilators_needed(candidates, params.candidates_per_invigilator)
    minutes = invigilation_minutes(
        extension,
        params.invigilation_minutes,
        params.extension_minutes,
        exam_minutes(certification),
    )
    per_session = session_minutes(invigilators, minutes, params)
    total_minutes = sessions * per_session
    variable = cost_of_minutes(total_minutes, params)
    breakdown = fixed_cost_breakdown(params, weeks)
    fixed = sum(breakdown.values(), Decimal("0.00"))
    paying_candidates = paying_sessions * candidates
    gross = money(paying_candidates * params.external_fee)
    gip = gip_share_owed(paying_candidates, params)
    net = external_net_revenue(paying_candidates, params)
    total_cost = variable + fixed
    net_per_session = candidates * (params.external_fee - params.gip_share)
    all_candidates = sessions * candidates
    return {
        "sessions": sessions,
        "candidates_per_session": candidates,
        "extension": extension,
        "certification": certification or "Pix",
        "test_minutes": exam_minutes(certification),
        "paying_sessions": paying_sessions,
        "candidates": all_candidates,
        "paying_candidates": paying_candidates,
        "invigilators_per_session": invigilators,
        "invigilation_minutes": minutes,
        "minutes_per_session": per_session,
        "invigilator_hours": hours(sessions * invigilators * minutes),
        "paid_hours": hours(total_minutes),
        "variable_cost": variable,
        "fixed_cost": fixed,
        "fixed_cost_breakdown": breakdown,
        "total_cost": total_cost,
        "external_gross_revenue": gross,
        "gip_share": gip,
        "external_net_revenue": net,
        "balance": net - total_cost,
        "cost_per_candidate": money(total_cost / all_candidates) if all_candidates else None,
        "paying_sessions_to_cover_variable": _sessions_to_cover(variable, net_per_session),
        "paying_sessions_to_cover_total": _sessions_to_cover(total_cost, net_per_session),
    }
