"""The referent's dashboard: one academic year's activity, costs and revenue.

Everything is aggregated by the database in a fixed number of queries, whatever the number of
sessions or years (the view's test guards it):

1. the year's cost parameters (``parameters_for_year``);
2. the year's sessions, one row each, with their registrations counted by ``COUNT … FILTER``:
   seats taken, candidates with extra time, candidates certified, candidates present;
3. the year's invigilator assignments summed per session;
4. the year's fees summed per session (paid: count, amount, GIP share; still due: count).

**Candidates certified** are ``CertificationResult`` rows with the status « Validée » (the
results imported from Pix Certif); attendance is shown beside them.

**Costs.** A held session (``held``/``finalised``) costs what its invigilators were assigned
(``Assignment.minutes``) plus the administrative minutes; a held session with no assignment
recorded falls back to the planned staffing for the seats it had. A session still to come is
planned from its capacity (and the extension when a candidate with extra time has a seat), for
the longest test of its seats (Pix's 2026 durations: 1 h 45 core Pix, 45 min Pix+ Droit and Pro
Santé, 1 h 30 Pix+ Édu; ``sessions_app.staffing``); a session with no seat yet as core Pix.
Cancelled sessions cost nothing here. Minutes are added up and priced once
(``costs.cost_of_minutes``), as the seed does. The year's fixed costs are spread over the
months in proportion to their days; "to date" counts the held sessions and the fixed costs of
the days elapsed, which is also where the realised curve of the chart ends (one rule).
A month still to come has nothing realised: its realised cost is empty, not its fixed share.

**Revenue.** Fees paid (not refunded) for the year's sessions; the GIP Pix's share is each
paid fee's share, except in staff sessions, which owe nothing to the GIP.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions_app.models import (
    SEAT_STATUSES,
    Assignment,
    AttendanceStatus,
    Audience,
    ResultStatus,
    Session,
    SessionStatus,
)
from sessions_app.models.registrations import test_minutes_expression
from sessions_app.staffing import invigilators_needed, session_invigilation_minutes

from . import costs
from .models import Fee, FeeStatus
from .services import parameters_for_year

HELD = {SessionStatus.HELD, SessionStatus.FINALISED}
ZERO = Decimal("0.00")


@dataclass
class SessionLine:
    pk: int
    date: dt.date
    start_time: dt.time
    room: str
    audience: str
    status: str
    capacity: int
    seats: int
    with_extra_time: int
    certified: int
    present: int
    longest_test: int | None = None  # minutes, the longest test of the seats (None: nobody)
    longest_extra_time_test: int | None = None  # the same among seats with extra time
    invigilators: int = 0
    invigilator_minutes: int = 0  # all invigilators together
    paid_minutes: int = 0  # invigilation + administrative work
    planned_minutes: int = 0  # from capacity, for the plan
    actual: bool = False  # from assignments
    paying: int = 0
    gross: Decimal = ZERO
    gip: Decimal = ZERO
    unpaid: int = 0
    cost: Decimal = ZERO

    @property
    def held(self) -> bool:
        return self.status in HELD

    @property
    def cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def fill_rate(self) -> Decimal:
        return _percent(self.seats, self.capacity)

    def get_audience_display(self):
        return Audience(self.audience).label

    def get_status_display(self):
        return SessionStatus(self.status).label


@dataclass
class Month:
    start: dt.date
    planned_minutes: int = 0
    actual_minutes: int = 0
    fixed: Decimal = ZERO  # the month's share of the year's fixed costs (plan)
    fixed_to_date: Decimal = ZERO  # of that share, what the days elapsed have used
    gross: Decimal = ZERO
    gip: Decimal = ZERO
    planned_cost: Decimal = ZERO
    actual_cost: Decimal = ZERO
    cumulative_plan: Decimal = ZERO
    cumulative_actual: Decimal | None = ZERO
    cumulative_net: Decimal | None = ZERO
    future: bool = False  # starts after today: nothing realised yet

    @property
    def net(self) -> Decimal:
        return self.gross - self.gip

    @property
    def planned_total(self) -> Decimal:
        return self.planned_cost + self.fixed

    @property
    def actual_total(self) -> Decimal | None:
        """Costs realised in the month (None for a month still to come: nothing realised)."""
        if self.future:
            return None
        return self.actual_cost + self.fixed_to_date


@dataclass
class Dashboard:
    year: object
    params: costs.CostParameters
    today: dt.date
    sessions: list[SessionLine] = field(default_factory=list)
    months: list[Month] = field(default_factory=list)
    figures: dict = field(default_factory=dict)


def _percent(part, whole) -> Decimal:
    if not whole:
        return ZERO
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


def _session_lines(year) -> list[SessionLine]:
    seat = Q(registrations__status__in=SEAT_STATUSES)
    rows = (
        Session.objects.filter(academic_year=year)
        .values(
            "pk",
            "date",
            "start_time",
            "capacity",
            "audience",
            "status",
            "room__site",
            "room__name",
        )
        .annotate(
            seats=Count("registrations", filter=seat),
            with_extra_time=Count(
                "registrations", filter=seat & Q(registrations__candidate__extra_time_percent__gt=0)
            ),
            # Pix's 2026 durations: the longest test of the seats, and of those with extra time.
            longest_test=Max(test_minutes_expression("registrations__complementary"), filter=seat),
            longest_extra_time_test=Max(
                test_minutes_expression("registrations__complementary"),
                filter=seat & Q(registrations__candidate__extra_time_percent__gt=0),
            ),
            certified=Count(
                "registrations", filter=Q(registrations__result__status=ResultStatus.VALIDATED)
            ),
            present=Count(
                "registrations",
                filter=Q(registrations__attendance__status=AttendanceStatus.PRESENT),
            ),
        )
        .order_by("date", "start_time", "pk")
    )
    return [
        SessionLine(
            pk=row["pk"],
            date=row["date"],
            start_time=row["start_time"],
            room=f"{row['room__site']} — {row['room__name']}",
            audience=row["audience"],
            status=row["status"],
            capacity=row["capacity"],
            seats=row["seats"],
            with_extra_time=row["with_extra_time"],
            longest_test=row["longest_test"],
            longest_extra_time_test=row["longest_extra_time_test"],
            certified=row["certified"],
            present=row["present"],
        )
        for row in rows
    ]


def _staffing(line: SessionLine, candidates: int, params) -> tuple[int, int]:
    """(invigilators, minutes of all invigilators) of the planned staffing for ``candidates``."""
    invigilators = invigilators_needed(candidates, params.candidates_per_invigilator)
    minutes = session_invigilation_minutes(
        line.longest_test,
        line.longest_extra_time_test if line.with_extra_time > 0 else None,
        params.invigilation_minutes,
        params.extension_minutes,
    )
    return invigilators, invigilators * minutes


def year_dashboard(year, *, today: dt.date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    params = parameters_for_year(year)  # query 1
    lines = _session_lines(year)  # query 2
    assignments = {  # query 3
        row["session_id"]: row
        for row in Assignment.objects.filter(session__academic_year=year)
        .values("session_id")
        .annotate(invigilators=Count("id"), minutes=Sum("minutes"))
        .order_by()
    }
    paid = Q(status=FeeStatus.PAID)
    fees = {  # query 4
        row["registration__session_id"]: row
        for row in Fee.objects.filter(academic_year=year)
        .values("registration__session_id")
        .annotate(
            paying=Count("id", filter=paid),
            gross=Sum("amount", filter=paid),
            gip=Sum("gip_share", filter=paid),
            unpaid=Count("id", filter=Q(status=FeeStatus.DUE)),
        )
        .order_by()
    }
    admin = params.admin_minutes_per_session
    for line in lines:
        fee_row = fees.get(line.pk)
        if fee_row:
            line.paying, line.unpaid = fee_row["paying"], fee_row["unpaid"]
            line.gross = fee_row["gross"] or ZERO
            # Staff sessions owe nothing to the GIP Pix.
            line.gip = ZERO if line.audience == Audience.STAFF else (fee_row["gip"] or ZERO)
        if line.cancelled:
            continue
        _invigilators, planned = _staffing(line, line.capacity, params)
        line.planned_minutes = planned + admin
        assigned = assignments.get(line.pk)
        if line.held and assigned:
            line.actual = True
            line.invigilators = assigned["invigilators"]
            line.invigilator_minutes = assigned["minutes"] or 0
        elif line.held:
            line.invigilators, line.invigilator_minutes = _staffing(line, line.seats, params)
        else:
            line.invigilators, line.invigilator_minutes = _staffing(line, line.capacity, params)
        line.paid_minutes = line.invigilator_minutes + admin
        line.cost = costs.cost_of_minutes(line.paid_minutes, params)

    return _assemble(year, params, today, lines)


def _fixed_through(fixed_total: Decimal, year, day: dt.date) -> Decimal:
    """The year's fixed costs used from its first day to ``day`` included, in proportion to
    the days (the one rule for « coûts fixes à date », the monthly shares and the chart)."""
    year_days = (year.end_date - year.start_date).days + 1
    elapsed = min(max((day - year.start_date).days + 1, 0), year_days)
    return costs.money(fixed_total * elapsed / year_days)


def _assemble(year, params, today, lines) -> Dashboard:
    """Monthly and yearly figures from one rule: a month's fixed share is the fixed costs of its
    days; cumulative amounts are priced from cumulative minutes (priced once, as the seed
    does), so that « Coûts à date » is exactly the last point of the realised curve."""
    board = Dashboard(year=year, params=params, today=today, sessions=lines)
    fixed_total = costs.fixed_costs(params)
    month_starts = _months(year.start_date, year.end_date)
    months = {start: Month(start=start) for start in month_starts}

    live = [line for line in lines if not line.cancelled]
    held = [line for line in live if line.held]
    upcoming = [line for line in live if not line.held]
    for line in lines:
        month = months.get(line.date.replace(day=1))
        if month is None:  # a session dated outside its academic year
            continue
        month.gross += line.gross
        month.gip += line.gip
        if line.cancelled:
            continue
        month.planned_minutes += line.planned_minutes
        if line.held:
            month.actual_minutes += line.paid_minutes

    current_month = today.replace(day=1)
    plan_minutes = actual_minutes = 0
    fixed_before = fixed_used_before = ZERO
    cumulative_net = ZERO
    for month in months.values():
        month_end = (month.start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        fixed_through = _fixed_through(fixed_total, year, month_end)
        fixed_used = _fixed_through(fixed_total, year, min(month_end, today))
        month.fixed, fixed_before = fixed_through - fixed_before, fixed_through
        month.fixed_to_date, fixed_used_before = fixed_used - fixed_used_before, fixed_used
        month.planned_cost = costs.cost_of_minutes(month.planned_minutes, params)
        month.actual_cost = costs.cost_of_minutes(month.actual_minutes, params)
        plan_minutes += month.planned_minutes
        actual_minutes += month.actual_minutes
        cumulative_net += month.net
        month.cumulative_plan = costs.cost_of_minutes(plan_minutes, params) + fixed_through
        month.future = month.start > current_month
        month.cumulative_actual = (
            None if month.future else costs.cost_of_minutes(actual_minutes, params) + fixed_used
        )
        month.cumulative_net = None if month.future else cumulative_net
    board.months = list(months.values())

    fixed_to_date = _fixed_through(fixed_total, year, today)
    variable_to_date = costs.cost_of_minutes(sum(line.paid_minutes for line in held), params)
    variable_plan = costs.cost_of_minutes(sum(line.planned_minutes for line in live), params)
    costs_to_date = variable_to_date + fixed_to_date
    plan_total = variable_plan + fixed_total
    certified = sum(line.certified for line in held)
    gross = sum((line.gross for line in lines), ZERO)
    gip = sum((line.gip for line in lines), ZERO)
    capacity = sum(line.capacity for line in live)
    seats = sum(line.seats for line in live)
    board.figures = {
        "sessions_held": len(held),
        "sessions_planned": len(upcoming),
        "sessions_cancelled": len(lines) - len(live),
        "candidates_seated": sum(line.seats for line in held),
        "candidates_present": sum(line.present for line in held),
        "candidates_certified": certified,
        "fill_rate": _percent(seats, capacity),
        "invigilator_hours": costs.hours(sum(line.invigilator_minutes for line in held)),
        "planned_invigilator_hours": costs.hours(
            sum(line.invigilator_minutes for line in upcoming)
        ),
        "variable_to_date": variable_to_date,
        "fixed_to_date": fixed_to_date,
        "costs_to_date": costs_to_date,
        "variable_plan": variable_plan,
        "fixed_plan": fixed_total,
        "plan_total": plan_total,
        "plan_used": _percent(costs_to_date, plan_total),
        "cost_per_certified": costs.money(costs_to_date / certified) if certified else None,
        "paying_candidates": sum(line.paying for line in lines),
        "unpaid_fees": sum(line.unpaid for line in lines),
        "external_revenue": gross,
        "gip_share": gip,
        "external_net_revenue": gross - gip,
        "net_balance": gross - gip - costs_to_date,
    }
    return board


def chart_data(board: Dashboard) -> dict:
    """What the charts draw (also shown as tables): amounts as floats for Chart.js."""
    months = board.months
    return {
        "months": [f"{m.start:%m/%Y}" for m in months],
        "monthly_cost": [None if m.future else float(m.actual_total) for m in months],
        "monthly_planned_cost": [float(m.planned_total) for m in months],
        "monthly_net_revenue": [float(m.net) for m in months],
        "cumulative_plan": [float(m.cumulative_plan) for m in months],
        "cumulative_actual": [
            None if m.cumulative_actual is None else float(m.cumulative_actual) for m in months
        ],
        "cumulative_net": [
            None if m.cumulative_net is None else float(m.cumulative_net) for m in months
        ],
        "break_even": float(board.figures["plan_total"]),
        "sessions": [f"{s.date:%d/%m} {s.start_time:%H:%M}" for s in board.sessions],
        "fill_rate": [float(s.fill_rate) for s in board.sessions],
        "labels": {
            "monthly_cost": _("Coûts réalisés"),
            "monthly_planned_cost": _("Coûts prévus"),
            "monthly_net_revenue": _("Recettes nettes"),
            "cumulative_plan": _("Coûts prévus cumulés"),
            "cumulative_actual": _("Coûts réalisés cumulés"),
            "cumulative_net": _("Recettes nettes cumulées"),
            "break_even": _("Seuil d’équilibre (coûts prévus de l’année)"),
            "fill_rate": _("Taux de remplissage (%)"),
        },
    }
