"""The administrator plans a series of sessions, sees them on the calendar, seats a candidate
and downloads the Pix Certif files."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def centre():
    from candidates.models import AcademicYear, Candidate
    from sessions_app.models import Room
    from tests.sessions_app.conftest import complete_identity

    today = timezone.localdate()
    AcademicYear.objects.create(
        label="courante", start_date=today - dt.timedelta(days=60),
        end_date=today + dt.timedelta(days=300),
    )  # fmt: skip
    Room.objects.create(site="Campus Hannah Arendt", name="Salle 0E07", capacity=24)
    Room.objects.create(site="Campus Jean-Henri Fabre", name="Salle AT06", capacity=20)
    candidate = Candidate.objects.create(
        kind="student", birth_name="NGUYEN", first_name="Anh", external_id="21950099"
    )
    return complete_identity(candidate)


def test_administrator_plans_a_series_and_exports_it(page, screenshot, administrator, centre):
    from sessions_app.days import unusual_day
    from sessions_app.models import Session

    day = timezone.localdate() + dt.timedelta(days=10)
    while unusual_day(day):  # a Sunday or a holiday would ask to confirm (tested elsewhere)
        day += dt.timedelta(days=1)
    sign_in(page, administrator.email, PASSWORD)
    page.get_by_role("button", name="Sessions", exact=True).click()  # the Sessions menu
    page.get_by_role("link", name="Sessions et campagnes").click()
    page.get_by_role("link", name="Créer une série").click()
    page.get_by_label("Dates").fill(day.strftime("%d/%m/%Y"))
    page.get_by_label("Heures de début").fill("09:00, 14:00")
    page.get_by_label("Campus Hannah Arendt — Salle 0E07").check()
    page.get_by_label("Campus Jean-Henri Fabre — Salle AT06").check()
    page.get_by_label("Pix+ Droit").check()
    screenshot("series-form")
    page.get_by_role("button", name="Créer").click()
    page.get_by_text("4 sessions créées").wait_for()
    expect(page.get_by_test_id("session-table").locator("tbody tr")).to_have_count(4)
    screenshot("session-list")

    page.get_by_role("link", name="Calendrier").click()
    page.goto(f"/sessions/calendrier/?month={day:%Y-%m}")
    expect(page.get_by_text("14:00 Salle AT06 (0/20)")).to_have_count(1)
    screenshot("calendar")

    session = Session.objects.get(date=day, start_time=dt.time(14), room__name="Salle AT06")
    page.goto(f"/sessions/{session.pk}/")
    # Search as you type (no drop-down of every candidate): the results come without a reload.
    page.get_by_label("Rechercher un candidat (nom, numéro étudiant ou e-mail)").fill("nguyen")
    page.get_by_test_id("assign-results").get_by_text("NGUYEN Anh").wait_for()
    page.get_by_role("button", name="Affecter NGUYEN Anh").click()
    page.get_by_text("Place attribuée").wait_for()
    assert "NGUYEN Anh" in page.get_by_test_id("confirmed").inner_text()
    screenshot("session-detail")

    # Without invigilators assigned, the export lists what to fix first.
    page.get_by_role("link", name="Export Pix Certif (CSV)").click()
    assert "Indiquez au moins un surveillant" in page.get_by_test_id("export-problems").inner_text()
    screenshot("export-problems")
    page.get_by_label("Surveillants (si non affectés)").fill("Paul Surveillant")
    with page.expect_download() as info:
        page.get_by_role("button", name="Réessayer").click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][1:3] == ["Campus Jean-Henri Fabre", "Salle AT06"]
    assert rows[1][7:9] == ["NGUYEN", "Anh"]
