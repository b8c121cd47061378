"""A student applies with three ranked wishes, the administrator allocates, the student sees
their seat."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_campaign(administrator):
    from candidates.models import AcademicYear
    from sessions_app import services
    from sessions_app.models import Room

    today = timezone.localdate()
    start = today - dt.timedelta(days=30)
    year = AcademicYear.objects.create(
        label=f"{start.year}-{start.year + 1}", start_date=start,
        end_date=today + dt.timedelta(days=300),
    )  # fmt: skip
    room = Room.objects.create(site="Centre-ville", name="Salle S1", capacity=20)
    day = today + dt.timedelta(days=20)
    sessions = services.create_session_series(
        acting_user=administrator, dates=[day], times=[dt.time(9), dt.time(11), dt.time(14)],
        rooms=[room], audience="students",
    )  # fmt: skip
    now = timezone.now()
    return services.create_campaign(
        acting_user=administrator, academic_year=year, name="Campagne de printemps",
        opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=3),
        sessions=sessions,
    ), sessions  # fmt: skip


def test_student_applies_admin_allocates_student_sees_seat(
    page, screenshot, student, administrator, open_campaign
):
    from sessions_app.models import Campaign, Registration
    from tests.sessions_app.conftest import complete_identity

    complete_identity(student.candidate, tier=1)
    campaign, sessions = open_campaign

    # The student ranks three sessions: 14:00 first, then 9:00, then 11:00.
    sign_in(page, student.email, PASSWORD)
    page.get_by_role("link", name="S’inscrire").click()
    screenshot("offer")
    page.get_by_role("link", name="Candidater").click()
    page.get_by_label("Vœu n° 1").select_option(label=str(sessions[2]))
    page.get_by_label("Vœu n° 2").select_option(label=str(sessions[0]))
    page.get_by_label("Vœu n° 3").select_option(label=str(sessions[1]))
    screenshot("wishes")
    page.get_by_role("button", name="Envoyer ma candidature").click()
    page.get_by_text("Candidature enregistrée").wait_for()
    expect(page.get_by_test_id("application")).to_have_count(1)
    screenshot("applied")
    page.get_by_role("button", name="Se déconnecter").click()

    # The window closes; the administrator previews, then allocates.
    Campaign.objects.filter(pk=campaign.pk).update(
        closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    sign_in(page, administrator.email, PASSWORD)
    page.goto(f"/sessions/campagnes/{campaign.pk}/")
    page.get_by_role("link", name="Simuler l’attribution").click()
    preview = page.get_by_test_id("preview")
    assert "MARTIN Léa" in preview.inner_text()
    screenshot("preview")
    assert Registration.objects.count() == 0
    page.get_by_role("button", name="Attribuer les places").click()
    page.get_by_test_id("confirm-question").wait_for()  # a confirmation page, no JavaScript
    page.get_by_role("button", name="Attribuer les places").click()
    page.get_by_text("Attribution lancée").wait_for()
    assert re.search("places attribuées le", page.get_by_test_id("campaign-state").inner_text())
    screenshot("allocated")
    page.get_by_role("button", name="Se déconnecter").click()

    # The student sees their seat, in their first wish.
    sign_in(page, student.email, PASSWORD)
    page.get_by_role("link", name="Mon inscription").click()
    assert page.get_by_test_id("registration-status").inner_text() == "Place confirmée"
    card = page.get_by_test_id("registration").inner_text()
    assert "14:00" in card and "Salle S1" in card
    assert "Votre niveau de priorité : 1" in page.get_by_test_id("tier").inner_text()
    screenshot("seat")
