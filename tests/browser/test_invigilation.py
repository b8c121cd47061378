"""The day of a session: the invigilator opens today's session, takes the roll call and reports
an incident; the administrator finalises; the absences show on the session's page and on the
absent candidate's own registration page."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def todays_session(administrator, invigilator, student):
    from candidates.models import AcademicYear
    from sessions_app import services as invigilation
    from sessions_app.models import (
        Registration,
        RegistrationSource,
        RegistrationStatus,
        Room,
        Session,
        SessionStatus,
    )
    from tests.sessions_app.invigilation_fixtures import confirm

    today = timezone.localdate()
    AcademicYear.objects.create(
        label=f"{today.year}-{today.year + 1}", start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=300),
    )  # fmt: skip
    year = AcademicYear.objects.get()
    room = Room.objects.create(site="Campus Hannah Arendt", name="Salle 2E07", capacity=24)
    session = Session.objects.create(
        academic_year=year, date=today, start_time=dt.time(9, 0), room=room, capacity=20,
        status=SessionStatus.CLOSED,
    )  # fmt: skip
    ines, manon = confirm(session, 2, extra_time=33)
    for registration, (name, first) in ((ines, ("ARNAUD", "Inès")), (manon, ("COLIN", "Manon"))):
        registration.candidate.birth_name = name
        registration.candidate.first_name = first
        registration.candidate.save()
    # Léa Martin (the student persona) has a seat too: she will see her absence herself.
    lea = Registration.objects.create(
        candidate=student.candidate, session=session, academic_year=year,
        status=RegistrationStatus.CONFIRMED, source=RegistrationSource.OVERRIDE,
        created_at=timezone.now(), confirmed_at=timezone.now(),
    )  # fmt: skip
    invigilation.assign_invigilator(session, invigilator, acting_user=administrator)
    return session, (ines, lea, manon)


def test_invigilator_takes_the_roll_call_and_administrator_finalises(
    page, screenshot, invigilator, administrator, student, todays_session
):
    from sessions_app.models import Incident, RegistrationStatus

    session, (ines, lea, manon) = todays_session

    # The invigilator opens today's session from their schedule.
    sign_in(page, invigilator.email, PASSWORD)
    page.get_by_role("link", name="Mes sessions").click()
    screenshot("schedule")
    page.get_by_role("link", name="Ouvrir la session du jour").click()
    page.get_by_role("heading", name="Appel").wait_for()
    assert "Temps majoré 33 %" in page.get_by_test_id("roll-call").inner_text()
    screenshot("roll-call")

    # Inès is present, identity checked; Léa is absent; nobody marks Manon.
    row = page.locator(f"#candidate-{ines.pk}")
    row.get_by_label("Présent").check()
    row.get_by_label("Identité vérifiée").check()
    row.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("ARNAUD Inès : présent.").wait_for()
    row = page.locator(f"#candidate-{lea.pk}")
    row.get_by_label("Absent").check()
    row.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("MARTIN Léa : absent.").wait_for()
    assert "identité vérifiée" in page.locator(f"#candidate-{ines.pk}").inner_text()

    # One incident: Inès's extra time had to be corrected (C2).
    page.get_by_label("Candidat").select_option(label="ARNAUD Inès")
    page.get_by_label("Catégorie Pix").select_option("C2")
    page.get_by_label("Description").fill("Temps majoré de 33 % ajouté en début d’épreuve.")
    screenshot("incident")
    page.get_by_role("button", name="Enregistrer l’incident").click()
    page.get_by_text("Incident enregistré.").wait_for()
    assert Incident.objects.filter(registration=ines, code="C2").exists()
    screenshot("after-incident")
    page.get_by_role("button", name="Se déconnecter").click()

    # The administrator finalises the session.
    sign_in(page, administrator.email, PASSWORD)
    page.get_by_role("button", name="Sessions", exact=True).click()  # the Sessions menu
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_role("link", name="Surveillance").click()
    page.get_by_role("link", name="Finalisation").click()
    table = page.get_by_test_id("finalisation")
    assert "C2 Modification infos candidat : Ajout/modification du temps majoré" in (
        table.inner_text()
    )
    screenshot("finalisation")
    page.get_by_role("button", name="Finaliser la session").click()
    page.get_by_test_id("confirm-question").wait_for()
    page.get_by_role("button", name="Finaliser la session").click()
    page.get_by_text("Session finalisée : 1 présent(s), 2 absent(s), 1 incident(s)").wait_for()
    assert page.get_by_test_id("session-status").inner_text() == "Finalisée"
    screenshot("finalised")

    # The absences show on the session's page (there is no session list on candidates' pages).
    page.goto(f"/sessions/{session.pk}/")
    body = page.locator("main").inner_text()
    assert "MARTIN Léa — Absent" in body
    assert "COLIN Manon — Absent" in body
    assert "ARNAUD Inès — Absent" not in body
    screenshot("session-page")
    statuses = {r.pk: r.status for r in session.registrations.all()}
    assert statuses == {
        ines.pk: RegistrationStatus.CONFIRMED,
        lea.pk: RegistrationStatus.NO_SHOW,
        manon.pk: RegistrationStatus.NO_SHOW,
    }
    page.get_by_role("button", name="Se déconnecter").click()

    # Léa sees her absence on her own page.
    sign_in(page, student.email, PASSWORD)
    page.goto("/sessions/mon-inscription/")
    assert page.get_by_test_id("registration-status").first.inner_text() == "Absent"
    screenshot("candidate-page")
