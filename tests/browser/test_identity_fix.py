"""The Pix export lists what Pix would refuse; each candidate's problem links to the identity
form, which the administrator corrects and which brings them back to the list, now without
that candidate. Accessible at each step (axe-core)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def session_with_an_incomplete_identity():
    from candidates.models import AcademicYear, Candidate
    from sessions_app.models import Registration, Room, Session
    from tests.sessions_app.conftest import complete_identity

    today = timezone.localdate()
    year = AcademicYear.objects.create(
        label="courante", start_date=today - dt.timedelta(days=60),
        end_date=today + dt.timedelta(days=300),
    )  # fmt: skip
    room = Room.objects.create(site="Campus Hannah Arendt", name="Salle 0E07", capacity=24)
    session = Session.objects.create(
        academic_year=year, date=today + dt.timedelta(days=12), start_time=dt.time(9),
        room=room, capacity=20, audience="students", status="open",
    )  # fmt: skip
    complete = complete_identity(
        Candidate.objects.create(birth_name="NGUYEN", first_name="Anh", external_id="21950099")
    )
    # Imported from Pix Orga: names and number only, no birth date, sex or birthplace.
    incomplete = Candidate.objects.create(
        birth_name="LEFÈVRE", first_name="Anaïs", external_id="21950100"
    )
    for candidate in (complete, incomplete):
        Registration.objects.create(
            candidate=candidate,
            session=session,
            academic_year=year,
            status="confirmed",
            source="override",
            created_at=timezone.now(),
        )
    return session, incomplete


def test_identity_fixed_from_the_export_problems(
    page, screenshot, administrator, session_with_an_incomplete_identity
):
    from accounts.models import AuditEntry

    session, anais = session_with_an_incomplete_identity
    sign_in(page, administrator.email, PASSWORD)
    page.goto(f"/sessions/{session.pk}/")
    page.get_by_role("link", name="Export Pix Certif (CSV)").click()
    problems = page.get_by_test_id("export-problems")
    assert "LEFÈVRE Anaïs" in problems.inner_text()
    assert "NGUYEN Anh" not in problems.inner_text()
    assert_accessible(page)
    screenshot("export-problems")

    page.get_by_role("link", name="Corriger l’identité de LEFÈVRE Anaïs").first.click()
    page.get_by_role("heading", name="Identité de LEFÈVRE Anaïs pour Pix").wait_for()
    assert_accessible(page)
    page.get_by_label("Date de naissance").fill("2004-02-29")
    page.get_by_label("Féminin").check()
    page.get_by_label("Code INSEE de la commune").fill("84007")
    screenshot("identity-form")
    page.get_by_role("button", name="Enregistrer l’identité").click()

    # Back on the problem list: Anaïs is no longer there; only the session's own problem is.
    page.get_by_text("Identité de LEFÈVRE Anaïs enregistrée").wait_for()
    assert "/sessions/export/" in page.url
    assert "LEFÈVRE" not in page.get_by_test_id("export-problems").inner_text()
    assert_accessible(page)
    screenshot("export-problems-after")

    anais.refresh_from_db()
    assert anais.birth_date == dt.date(2004, 2, 29) and anais.identity_complete
    entry = AuditEntry.objects.get(action="identity_updated", candidate_id=anais.pk)
    assert entry.before["birth_date"] == "" and entry.after["birth_date"] == "2004-02-29"
