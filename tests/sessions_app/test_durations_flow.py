"""Pix's 2026 durations by certification flow into staffing (and the assignment's minutes), the
convocation and its calendar file, the attendance sheet and the invigilator's day page."""

import datetime as dt
import io

import icalendar
import pytest
from django.urls import reverse
from pypdf import PdfReader

from sessions_app.models import Assignment, AttendanceSheet, Complementary, SessionStatus
from sessions_app.services import convocations, invigilation
from sessions_app.services.attendance import generate_attendance_sheet

from .conftest import make_session
from .invigilation_fixtures import available, confirm, make_invigilator

pytestmark = pytest.mark.django_db


def choose(registrations, code):
    for r in registrations:
        r.complementary = code
        r.save(update_fields=["complementary"])
    return registrations


@pytest.fixture
def droit_session(year, room):
    """Three Pix+ Droit candidates, the first with a third more time."""
    session = make_session(year, room, status=SessionStatus.CLOSED)
    session.complementary = [Complementary.DROIT]
    session.save()
    choose(confirm(session, 3, extra_time=33), Complementary.DROIT)
    return session


def test_staffing_follows_the_longest_test(droit_session, year, room):
    plan = invigilation.session_staffing(droit_session)
    assert (plan.test_minutes, plan.minutes, plan.extension_minutes) == (45, 78, 18)
    annotated = invigilation.with_staffing().get(pk=droit_session.pk)
    assert invigilation.session_staffing(annotated) == plan

    edu = make_session(year, room, day=16)
    choose(confirm(edu, 2), Complementary.EDU_2)
    assert invigilation.session_staffing(edu).minutes == 105
    choose(confirm(edu, 1), "")  # one core Pix candidate: the room stays 2 hours
    assert invigilation.session_staffing(edu).minutes == 120
    assert invigilation.session_staffing(invigilation.with_staffing().get(pk=edu.pk)).minutes == 120

    core = make_session(year, room, day=17)
    confirm(core, 2, extra_time=33)
    assert invigilation.session_staffing(core).minutes == 160  # the seed's case, unchanged


def test_an_assignment_is_paid_the_certification_minutes(droit_session, administrator):
    invigilator = make_invigilator()
    available(invigilator)
    assignment = invigilation.assign_invigilator(
        droit_session, invigilator, acting_user=administrator
    )
    assert Assignment.objects.get(pk=assignment.pk).minutes == 78


def test_the_convocation_and_calendar_give_the_certification_duration(droit_session):
    slow, plain, _other = droit_session.registrations.order_by("pk")
    html = convocations.render_html(plain, "fr")
    assert "Pix+ Droit" in html and 'data-testid="duration">45 min' in html
    html = convocations.render_html(slow, "fr")
    assert "1 h 00 (45 min avec un temps majoré de 33 %)" in html
    event = icalendar.Calendar.from_ical(convocations.build_ics(plain)).walk("VEVENT")[0]
    assert event["dtend"].dt - event["dtstart"].dt == dt.timedelta(minutes=15 + 45)
    core = make_session(droit_session.academic_year, droit_session.room, day=20)
    assert "1 h 45" in convocations.render_html(confirm(core, 1)[0], "fr")


def test_the_attendance_sheet_gives_each_test(droit_session, year, room):
    edu = confirm(droit_session, 1)[0]
    choose([edu], Complementary.EDU_1)
    generate_attendance_sheet(droit_session)
    sheet = AttendanceSheet.objects.get(session=droit_session)
    with sheet.file.open("rb") as f:
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(f.read())).pages)
    text = " ".join(text.split())
    assert "Pix+ Droit · 1 h 00" in text and "Pix+ Droit · 45 min" in text
    assert "Pix+ Édu 1er degré · 1 h 30" in text
    assert "Surveillance : 105 min" in text  # Édu 90 + 15


def test_the_day_page_shows_durations_and_the_extension(client, droit_session, administrator):
    client.force_login(administrator)
    page = client.get(reverse("invigilation:session_day", args=[droit_session.pk])).content
    page = page.decode()
    assert 'data-testid="test-duration">45 min</span>' in page
    assert 'data-testid="invigilation-minutes">78</span>' in page
    assert "la salle reste ouverte 18 minutes de plus" in page
    assert page.count("Pix+ Droit · 45 min") == 2 and "Pix+ Droit · 1 h 00" in page
