"""The referent opens the dashboard of the current academic year: figures, three charts (drawn
by Chart.js on canvases) and their tables."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def year_with_activity(administrator, invigilator, monkeypatch):
    from billing import services
    from candidates.models import AcademicYear, CandidateKind
    from sessions_app.models import Assignment, CertificationResult, Room
    from tests.billing.conftest import make_registration, make_session
    from tests.sessions_app.conftest import make_candidate

    monkeypatch.setattr(services, "_enqueue_receipt_pdf", lambda receipt_id: None)  # no PDFs
    today = timezone.localdate()
    start = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    year = AcademicYear.objects.create(
        label=f"{start.year}-{start.year + 1}",
        start_date=start,
        end_date=dt.date(start.year + 1, 8, 31),
    )
    room = Room.objects.create(site="Campus Hannah Arendt", name="Salle 2E07", capacity=24)
    now = timezone.now()
    for i, (offset, kind, audience) in enumerate(
        [
            (20, CandidateKind.STUDENT, "students"),
            (45, CandidateKind.EXTERNAL, "external"),
            (70, CandidateKind.STUDENT, "students"),
        ]
    ):
        session = make_session(
            year, room, date=start + dt.timedelta(days=offset), audience=audience, status="held"
        )
        Assignment.objects.create(session=session, invigilator=invigilator, minutes=120)
        for j in range(12 + 3 * i):
            registration = make_registration(session, make_candidate(kind))
            CertificationResult.objects.create(
                registration=registration,
                certification_number=f"B{session.pk}-{j}",
                status="Validée",
                imported_at=now,
            )
            if kind == CandidateKind.EXTERNAL:
                services.record_payment(
                    registration.fee,
                    acting_user=administrator,
                    paid_on=session.date,
                    method="card",
                )
    make_session(year, room, date=today + dt.timedelta(days=30), audience="mixed")
    return year


def test_referent_sees_the_dashboard_with_its_charts(
    page, screenshot, referent, year_with_activity
):
    sign_in(page, referent.email, PASSWORD)
    page.get_by_role("link", name="Tableau de bord", exact=True).click()  # the navigation bar
    page.get_by_role("heading", name=f"Tableau de bord {year_with_activity.label}").wait_for()
    for canvas in ("chart-monthly", "chart-cumulative", "chart-fill"):
        page.locator(f"#{canvas}").wait_for(state="visible")
    expect(page.locator("body")).to_have_attribute("data-charts-ready", "true")
    # Chart.js has drawn: each canvas holds a chart instance.
    drawn = page.evaluate(
        "['chart-monthly', 'chart-cumulative', 'chart-fill']"
        ".map(id => Chart.getChart(document.getElementById(id)) !== undefined)"
    )
    assert drawn == [True, True, True]
    assert page.get_by_test_id("certified").inner_text() == "45"  # 12 + 15 + 18, all « Validée »
    assert page.get_by_test_id("sessions").inner_text() == "3 / 1"
    assert "675,00" in page.get_by_test_id("revenue").inner_text()  # 15 × 45 €
    screenshot("dashboard")
    page.get_by_text("Les chiffres du graphique").click()
    assert page.get_by_test_id("monthly-table").is_visible()
    screenshot("dashboard-tables")
