"""The referent's dashboard: figures of a hand-computed year, access, downloads, and a query
count that does not grow with the number of sessions or years."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from billing import dashboard, services
from billing.models import Fee
from candidates.models import AcademicYear, Candidate, CandidateKind
from sessions_app.models import (
    Assignment,
    Attendance,
    CertificationResult,
    Registration,
    Room,
    Session,
)
from tests.billing.conftest import make_registration, make_session
from tests.sessions_app.conftest import make_candidate

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 1, 15)


def _seat(session, n, *, kind=CandidateKind.STUDENT, extra_time=0, certified=0, rejected=0):
    """``n`` confirmed seats; the first ``certified`` get a « Validée » result."""
    registrations = []
    for i in range(n):
        candidate = make_candidate(kind)
        if i < extra_time:
            candidate.extra_time_percent = 33
            candidate.save(update_fields=["extra_time_percent"])
        registrations.append(make_registration(session, candidate))
    now = timezone.now()
    for i, registration in enumerate(registrations[: certified + rejected]):
        CertificationResult.objects.create(
            registration=registration,
            certification_number=f"C-{session.pk}-{i}",
            status="Validée" if i < certified else "Rejetée",
            imported_at=now,
        )
        Attendance.objects.create(registration=registration, status="present", marked_at=now)
    return registrations


@pytest.fixture
def board_year(year, room, administrator, invigilator):
    a = make_session(year, room, date=dt.date(2025, 10, 15), audience="students", status="held")
    _seat(a, 18, extra_time=1, certified=15, rejected=1)
    Assignment.objects.create(session=a, invigilator=invigilator, minutes=160)
    b = make_session(
        year, room, date=dt.date(2025, 11, 10), capacity=25, audience="students", status="held"
    )
    _seat(b, 22)  # no assignment recorded: planned staffing for 22 seats (2 invigilators)
    make_session(year, room, date=dt.date(2026, 3, 10), audience="students")  # to come
    make_session(year, room, date=dt.date(2025, 10, 20), status="cancelled")
    e = make_session(year, room, date=dt.date(2025, 12, 5), audience="external", status="held")
    paid_1, paid_2, waived = _seat(e, 3, kind=CandidateKind.EXTERNAL)
    Assignment.objects.create(session=e, invigilator=invigilator, minutes=120)
    for registration in (paid_1, paid_2):
        services.record_payment(
            registration.fee,
            acting_user=administrator,
            paid_on=dt.date(2025, 11, 20),
            method="card",
        )
    services.waive_fee(waived.fee, acting_user=administrator, reason="Partenaire")
    return year


def test_figures_of_a_year(board_year):
    board = dashboard.year_dashboard(board_year, today=TODAY)
    f = board.figures
    assert (f["sessions_held"], f["sessions_planned"], f["sessions_cancelled"]) == (3, 1, 1)
    assert f["candidates_certified"] == 15  # « Validée » only
    assert f["candidates_present"] == 16
    assert f["fill_rate"] == Decimal("50.6")  # 43 seats / 85 places (cancelled left out)
    assert f["invigilator_hours"] == Decimal("8.67")  # 160 + 2 × 120 + 120 minutes
    # 210 + 290 + 170 paid minutes = 670 min × 18.71 €/h, priced once
    assert f["variable_to_date"] == Decimal("208.93")
    # 4,405.22 € a year × 137 days of 365 elapsed on 15 January
    assert f["fixed_to_date"] == Decimal("1653.47")
    assert f["costs_to_date"] == Decimal("1862.40")
    # plan from capacities: 210 + 290 + 170 (to come) + 170 = 840 min → 261.94 €
    assert f["variable_plan"] == Decimal("261.94")
    assert f["plan_total"] == Decimal("4667.16")
    assert f["cost_per_certified"] == Decimal("124.16")  # 1862.40 / 15
    assert (f["paying_candidates"], f["external_revenue"], f["gip_share"]) == (
        2,
        Decimal("90.00"),
        Decimal("20.00"),
    )
    assert f["net_balance"] == Decimal("-1792.40")
    october = board.months[1]
    assert october.start == dt.date(2025, 10, 1)
    assert october.actual_cost == Decimal("65.49")  # session A: 210 min
    assert board.months[-1].cumulative_plan == f["plan_total"]
    assert board.months[4].cumulative_actual is not None  # January
    assert board.months[5].cumulative_actual is None  # February: not yet
    line_b = next(s for s in board.sessions if s.capacity == 25)
    assert (line_b.invigilators, line_b.actual, line_b.paid_minutes) == (2, False, 290)


def test_costs_to_date_is_where_the_realised_curve_ends(board_year):
    """One figure: the card « Coûts à date » and the chart's realised curve agree (they used
    to differ: the chart counted the whole month's fixed share, the card the days elapsed)."""
    board = dashboard.year_dashboard(board_year, today=TODAY)
    data = dashboard.chart_data(board)
    realised = [v for v in data["cumulative_actual"] if v is not None]
    assert realised[-1] == float(board.figures["costs_to_date"]) == 1862.40
    assert sum(m.fixed for m in board.months) == board.figures["fixed_plan"]
    assert sum(m.fixed_to_date for m in board.months) == board.figures["fixed_to_date"]
    january = board.months[4]
    assert january.actual_total == january.actual_cost + january.fixed_to_date
    assert january.fixed_to_date < january.fixed  # 15 days of 31


def test_future_months_have_no_realised_cost(client, referent, board_year):
    board = dashboard.year_dashboard(board_year, today=TODAY)
    february = board.months[5]
    assert february.future and february.actual_total is None
    assert dashboard.chart_data(board)["monthly_cost"][5] is None
    client.force_login(referent)
    with time_machine.travel(dt.datetime(2026, 1, 15, 12, tzinfo=dt.UTC), tick=False):
        response = client.get(reverse("billing:dashboard"), {"annee": board_year.label})
    html = response.content.decode()
    table = html[html.index('data-testid="monthly-table"') :]
    future_rows = [row for row in table.split("<tr>")[1:] if "mars 2026" in row]
    cells = future_rows[0].split("<td")[1:]  # planned, realised, net, cumulated...
    assert "€" in cells[0] and "€" not in cells[1] and "—" in cells[1]


def test_staff_sessions_owe_nothing_to_the_gip(year, room, administrator):
    staff = make_session(year, room, audience="staff", status="held")
    registration = make_registration(staff, make_candidate(CandidateKind.STAFF))
    assert not Fee.objects.exists()
    # Even a fee forced on a staff session (a manual correction) owes the GIP nothing.
    fee = Fee.objects.create(registration=registration, academic_year=year)
    services.record_payment(fee, acting_user=administrator, paid_on=TODAY, method="cash")
    board = dashboard.year_dashboard(year, today=TODAY)
    assert board.figures["gip_share"] == Decimal("0.00")
    assert board.figures["external_revenue"] == Decimal("45.00")


@pytest.mark.parametrize("persona", ["student", "external", "invigilator", "administrator"])
def test_other_roles_are_refused(client, request, board_year, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("billing:dashboard")).status_code == 403
    url = reverse("billing:year_report", kwargs={"label": board_year.label, "fmt": "csv"})
    assert client.get(url).status_code == 403


def test_referent_sees_the_dashboard_with_chart_data(client, referent, board_year):
    client.force_login(referent)
    response = client.get(reverse("billing:dashboard"), {"annee": board_year.label})
    assert response.status_code == 200
    html = response.content.decode()
    for canvas in ("chart-monthly", "chart-cumulative", "chart-fill"):
        assert f'id="{canvas}"' in html
    assert 'id="dashboard-data"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert response.context["f"]["candidates_certified"] == 15
    assert client.get(reverse("billing:dashboard"), {"annee": "1999-2000"}).status_code == 404


def test_yearly_report_as_csv_and_pdf(client, referent, board_year):
    from pypdf import PdfReader

    client.force_login(referent)
    kwargs = {"label": board_year.label}
    csv_response = client.get(reverse("billing:year_report", kwargs={**kwargs, "fmt": "csv"}))
    assert csv_response["Content-Type"].startswith("text/csv")
    text = csv_response.content.decode("utf-8-sig")
    assert "Candidats certifiés (résultats « Validée »);15" in text
    assert "Part due au GIP Pix (€);20,00" in text
    pdf_response = client.get(reverse("billing:year_report", kwargs={**kwargs, "fmt": "pdf"}))
    assert pdf_response["Content-Type"] == "application/pdf"
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_response.content)).pages)
    assert "Rapport annuel 2025-2026" in pdf_text
    bad = reverse("billing:year_report", kwargs={**kwargs, "fmt": "xls"})
    assert client.get(bad).status_code == 404


# --- query count ------------------------------------------------------------------------------


def _fill_years(count, sessions_per_year, invigilator):
    """``count`` academic years of sessions with seats, results, assignments and paid fees,
    written in bulk (signals are not needed for counting queries)."""
    room = Room.objects.create(site="Campus", name=f"Salle {count}", capacity=40)
    kinds = [CandidateKind.EXTERNAL] * 3 + [CandidateKind.STUDENT] * 5
    now = timezone.now()
    years = []
    for n in range(count):
        start = 2016 + n
        year, _ = AcademicYear.objects.get_or_create(
            label=f"{start}-{start + 1}",
            defaults={"start_date": dt.date(start, 9, 1), "end_date": dt.date(start + 1, 8, 31)},
        )
        years.append(year)
        sessions = Session.objects.bulk_create(
            Session(
                academic_year=year,
                date=dt.date(start, 10, 1) + dt.timedelta(days=7 * i),
                start_time=dt.time(9, 0),
                room=room,
                capacity=20,
                audience="mixed",
                status="held" if i % 3 else "open",
            )
            for i in range(sessions_per_year)
        )
        # One active seat per candidate and year: new candidates for every session.
        candidates = Candidate.objects.bulk_create(
            Candidate(kind=kind, birth_name=f"NOM{n}-{i}-{k}", first_name="Test")
            for i in range(sessions_per_year)
            for k, kind in enumerate(kinds)
        )
        registrations = Registration.objects.bulk_create(
            Registration(
                candidate=candidates[i * len(kinds) + j],
                session=session,
                academic_year=year,
                status="confirmed" if j else "no_show",
                source="booking",
                created_at=now,
            )
            for i, session in enumerate(sessions)
            for j in range(len(kinds))
        )
        CertificationResult.objects.bulk_create(
            CertificationResult(
                registration=r,
                certification_number=f"Q{r.pk}",
                status="Validée",
                imported_at=now,
            )
            for r in registrations
            if r.candidate.kind == CandidateKind.STUDENT
        )
        Assignment.objects.bulk_create(
            Assignment(session=s, invigilator=invigilator, minutes=120) for s in sessions
        )
        Fee.objects.bulk_create(
            Fee(registration=r, academic_year=year, status="paid")
            for r in registrations
            if r.candidate.kind == CandidateKind.EXTERNAL
        )
    return years


# The dashboard's queries, whatever the number of sessions and years:
DASHBOARD_QUERIES = 7
# 1. the session (django_session)       2. the signed-in user
# 3. the academic years (selector; the chosen one is picked in Python)
# 4. the year's cost parameters          5. the year's sessions with their registrations counted
# 6. the assignments summed per session  7. the fees summed per session


@pytest.mark.parametrize(("years", "sessions_per_year"), [(1, 2), (1, 12), (10, 12)])
def test_dashboard_query_count_does_not_grow(
    client, referent, invigilator, django_assert_num_queries, years, sessions_per_year
):
    chosen = _fill_years(years, sessions_per_year, invigilator)[-1]
    client.force_login(referent)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("billing:dashboard"), {"annee": chosen.label})
    assert response.status_code == 200
    assert len(response.context["board"].sessions) == sessions_per_year
    assert response.context["f"]["paying_candidates"] == 3 * sessions_per_year
