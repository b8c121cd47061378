"""The administrator watches a session's convocations go out (the page polls the progress)
and the student downloads theirs and reads their result."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def convened_session(student):
    from candidates.models import AcademicYear
    from sessions_app.models import Registration, Room, Session
    from tests.sessions_app.conftest import complete_identity, make_candidate

    today = timezone.localdate()
    year = AcademicYear.objects.create(
        label="courante", start_date=today - dt.timedelta(days=60),
        end_date=today + dt.timedelta(days=300),
    )  # fmt: skip
    room = Room.objects.create(site="Campus Hannah Arendt", name="Salle 0E07", capacity=24)
    session = Session.objects.create(
        academic_year=year, date=today + dt.timedelta(days=12), start_time=dt.time(9),
        room=room, status="closed",
    )  # fmt: skip
    for candidate in (complete_identity(student.candidate), make_candidate(), make_candidate()):
        Registration.objects.create(
            candidate=candidate, session=session, academic_year=year, status="confirmed",
            source="allocation", created_at=timezone.now(),
        )  # fmt: skip
    return session


def test_progress_updates_live_then_the_student_downloads_the_convocation(
    page, screenshot, administrator, student, convened_session
):
    from sessions_app.tasks import send_session_convocations

    sign_in(page, administrator.email, PASSWORD)
    page.goto(f"/convocations/session/{convened_session.pk}/")
    sent = page.locator('#convocation-progress [data-count="sent"]')
    assert sent.inner_text() == "0"
    screenshot("before")
    send_session_convocations.delay(convened_session.pk)  # as the worker would, meanwhile
    expect(sent).to_have_text("3")  # the page's own polling, without a reload
    screenshot("sent-without-reload")
    page.get_by_role("link", name="Actualiser").click()
    expect(page.get_by_role("cell", name="Envoyée")).to_have_count(3)

    page.context.clear_cookies()
    sign_in(page, student.email, PASSWORD)
    page.get_by_role("link", name="Mes convocations").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger la convocation (PDF)").click()
    assert download.value.suggested_filename == "convocation-pix.pdf"
    screenshot("student-convocations")


def test_the_referent_reads_the_statistics_as_charts_and_tables(page, screenshot, referent):
    from sessions_app.models import StatisticsSnapshot
    from sessions_app.services import statistics
    from tests.sessions_app.test_statistics import ROWS

    StatisticsSnapshot.objects.create(
        computed_at=timezone.now(), data=statistics.compute(ROWS, max_level=6)
    )
    sign_in(page, referent.email, PASSWORD)
    page.get_by_role("link", name="Statistiques").click()
    page.get_by_role("heading", name="Distribution des scores").wait_for()
    # The heading is parsed before the script at the end of the page has run (CI under load
    # counted 0 charts): wait for the script's mark.
    expect(page.locator("body")).to_have_attribute("data-charts-ready", "true")
    drawn = page.evaluate(
        "[...document.querySelectorAll('canvas')].filter(c => window.Chart.getChart(c)).length"
    )
    assert drawn == 5
    assert page.locator("#table-sessions tbody tr").count() == 2
    screenshot("statistics")
