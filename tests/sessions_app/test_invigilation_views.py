"""Invigilation pages: who may see what (404 for sessions not assigned, 403 for other roles),
and the forms that drive the services."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from candidates.models import AcademicYear
from sessions_app import services as invigilation
from sessions_app.models import (
    Assignment,
    Attendance,
    AttendanceSheet,
    Incident,
    InvigilatorPeriod,
    RegistrationStatus,
    Session,
    SessionStatus,
)
from tests.conftest import PASSWORD

from .invigilation_fixtures import available, confirm, make_invigilator

pytestmark = pytest.mark.django_db


@pytest.fixture
def this_year(db):
    today = timezone.localdate()
    start = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    return AcademicYear.objects.create(
        label=f"{start.year}-{start.year + 1}",
        start_date=start,
        end_date=dt.date(start.year + 1, 8, 31),
    )


def session_on(year, room, day_offset=0, hour=9, status=SessionStatus.CLOSED, capacity=20):
    return Session.objects.create(
        academic_year=year,
        date=timezone.localdate() + dt.timedelta(days=day_offset),
        start_time=dt.time(hour, 0),
        room=room,
        capacity=capacity,
        status=status,
    )


@pytest.fixture
def today_session(this_year, room, administrator, invigilator):
    session = session_on(this_year, room)
    invigilation.assign_invigilator(session, invigilator, acting_user=administrator)
    return session


def login(client, user):
    assert client.login(email=user.email, password=PASSWORD)
    return client


# --- access -----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, today_session):
    response = client.get(reverse("invigilation:session_day", args=[today_session.pk]))
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["student", "referent"])
def test_other_roles_get_403(client, request, today_session, persona):
    login(client, request.getfixturevalue(persona))
    for name, args in (
        ("invigilation:session_day", [today_session.pk]),
        ("invigilation:schedule", []),
        ("invigilation:sessions", []),
        ("invigilation:finalise", [today_session.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 403


def test_an_invigilator_sees_only_sessions_assigned_to_them(client, today_session, this_year, room):
    stranger = make_invigilator()
    login(client, stranger)
    assert (
        client.get(reverse("invigilation:session_day", args=[today_session.pk])).status_code == 404
    )
    registration = confirm(today_session, 1)[0]
    response = client.post(
        reverse("invigilation:mark", args=[today_session.pk, registration.pk]),
        {"present": "present"},
    )
    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_invigilators_may_not_use_administrator_pages(client, invigilator, today_session):
    login(client, invigilator)
    for name in ("invigilation:assign", "invigilation:finalise", "invigilation:attendance_sheet"):
        assert client.get(reverse(name, args=[today_session.pk])).status_code == 403
    assert client.get(reverse("invigilation:sessions")).status_code == 403


# --- invigilator pages ------------------------------------------------------------------------


def test_availability_form_declares_a_period(client, invigilator):
    login(client, invigilator)
    response = client.post(
        reverse("invigilation:availability"),
        {"kind": "unavailable", "starts_at": "2026-12-01T08:00", "ends_at": "2026-12-01T18:00"},
    )
    assert response.status_code == 302
    period = InvigilatorPeriod.objects.get(invigilator=invigilator)
    assert period.kind == "unavailable"
    page = client.get(reverse("invigilation:availability")).content.decode()
    assert "Indisponible" in page and "01/12/2026 08:00" in page


def test_schedule_shows_sessions_and_hours(
    client, invigilator, today_session, django_assert_max_num_queries
):
    confirm(today_session, 2, extra_time=33)
    Assignment.objects.filter(session=today_session).update(minutes=160)
    login(client, invigilator)
    # session + user, the current year, the assignments with sessions and rooms (+ savepoints).
    with django_assert_max_num_queries(6):
        response = client.get(reverse("invigilation:schedule"))
    page = response.content.decode()
    assert "2 h 40" in page
    assert "Ouvrir la session du jour" in page


def test_day_page_flags_extra_time_and_accessibility(client, invigilator, today_session):
    flagged, plain = confirm(today_session, 2, extra_time=33)
    flagged.candidate.accessibility_needs = "Fauteuil roulant : poste au bout de rangée"
    flagged.candidate.save()
    login(client, invigilator)
    page = client.get(reverse("invigilation:session_day", args=[today_session.pk])).content.decode()
    assert "Temps majoré 33 %" in page
    assert "Fauteuil roulant" in page
    assert str(plain.candidate) in page


def test_invigilator_marks_presence_and_reports_an_incident(client, invigilator, today_session):
    registration = confirm(today_session, 1)[0]
    login(client, invigilator)
    response = client.post(
        reverse("invigilation:mark", args=[today_session.pk, registration.pk]),
        {"present": "present", "identity_checked": "on"},
    )
    assert response.status_code == 302
    attendance = Attendance.objects.get(registration=registration)
    assert attendance.status == "present" and attendance.identity_checked
    response = client.post(
        reverse("invigilation:incident", args=[today_session.pk]),
        {"registration": registration.pk, "code": "E1", "question_number": "7", "description": "x"},
    )
    assert response.status_code == 302
    assert Incident.objects.get().question_number == 7
    # A refused incident shows the rule's message on the page.
    response = client.post(
        reverse("invigilation:incident", args=[today_session.pk]), {"code": "E2"}
    )
    assert "numéro de la question" in response.content.decode()


# --- administrator pages ----------------------------------------------------------------------


def test_assign_page_suggests_and_refuses_overlaps_naming_the_session(
    client, administrator, this_year, room, other_room
):
    morning = session_on(this_year, room, day_offset=7, hour=9)
    confirm(morning, 1, extra_time=33)  # 9:00-11:40
    noon = session_on(this_year, other_room, day_offset=7, hour=11)
    person = make_invigilator("Dupont")
    available(person, timezone.localdate(), timezone.localdate() + dt.timedelta(days=30))
    invigilation.assign_invigilator(morning, person, acting_user=administrator)
    other = make_invigilator("Martin")
    available(other, timezone.localdate(), timezone.localdate() + dt.timedelta(days=30))
    login(client, administrator)
    page = client.get(reverse("invigilation:assign", args=[noon.pk])).content.decode()
    assert "Martin" in page.split('data-testid="suggestions"')[1]
    assert "Dupont" not in page.split('data-testid="suggestions"')[1]
    response = client.post(
        reverse("invigilation:assign", args=[noon.pk]), {"invigilator": person.pk}
    )
    assert response.status_code == 200
    assert str(morning) in response.content.decode()
    assert not Assignment.objects.filter(session=noon).exists()
    response = client.post(
        reverse("invigilation:assign", args=[noon.pk]), {"invigilator": other.pk}
    )
    assert response.status_code == 302
    assert Assignment.objects.filter(session=noon, invigilator=other).exists()


def test_sessions_list_flags_understaffed_with_a_query_guard(
    client, administrator, this_year, room, other_room, django_assert_max_num_queries
):
    for offset in range(1, 6):
        s = session_on(this_year, room if offset % 2 else other_room, day_offset=offset)
        confirm(s, 3)
    staffed = session_on(this_year, room, day_offset=8)
    confirm(staffed, 2)
    invigilation.assign_invigilator(staffed, make_invigilator(), acting_user=administrator)
    login(client, administrator)
    # session + user, the sessions with staffing annotations, their assignments with
    # invigilators (+ savepoints): the same whatever the number of sessions.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("invigilation:sessions"))
    assert response.content.decode().count('data-testid="understaffed"') == 5
    only = client.get(reverse("invigilation:sessions") + "?sous_effectif=1").content.decode()
    rows = only.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<tr") == 5 == rows.count('data-testid="understaffed"')


def test_administrator_home_flags_understaffed_sessions(client, administrator, this_year, room):
    session = session_on(this_year, room, day_offset=3)
    confirm(session, 21)
    login(client, administrator)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="understaffed-sessions"' in page
    assert "0 surveillant(s) sur 2" in page
    assert "Vos prochaines étapes" in page  # the existing content stays


def test_finalisation_page_lists_incidents_in_pix_order_then_finalises(
    client, administrator, invigilator, today_session
):
    present, absent = confirm(today_session, 2)
    invigilation.mark_attendance(present, present=True, acting_user=invigilator)
    for code in ("C8", "C1"):
        invigilation.report_incident(
            today_session, registration=present, code=code, acting_user=invigilator
        )
    login(client, administrator)
    page = client.get(reverse("invigilation:finalise", args=[today_session.pk])).content.decode()
    assert page.index("<strong>C1</strong>") < page.index("<strong>C8</strong>")
    assert "Modification infos candidat : Modification des prénom/nom/date de naissance" in page
    response = client.post(reverse("invigilation:finalise", args=[today_session.pk]))
    assert "ne changeront plus" in response.content.decode()  # the confirmation step
    today_session.refresh_from_db()
    assert today_session.status != SessionStatus.FINALISED
    response = client.post(
        reverse("invigilation:finalise", args=[today_session.pk]), {"confirmed": "1"}
    )
    assert response.status_code == 302
    today_session.refresh_from_db()
    absent.refresh_from_db()
    assert today_session.status == SessionStatus.FINALISED
    assert absent.status == RegistrationStatus.NO_SHOW
    page = client.get(reverse("invigilation:finalise", args=[today_session.pk])).content.decode()
    assert "Session finalisée" in page and "Absent" in page


def test_attendance_sheet_is_produced_by_the_task_and_downloaded(
    client, administrator, today_session, django_capture_on_commit_callbacks
):
    confirm(today_session, 3)
    login(client, administrator)
    url = reverse("invigilation:attendance_sheet", args=[today_session.pk])
    assert client.get(url).status_code == 404  # nothing produced yet
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert AttendanceSheet.objects.filter(session=today_session).exists()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_invigilator_navigation_links(client, invigilator):
    login(client, invigilator)
    page = client.get(reverse("home")).content.decode()
    assert reverse("invigilation:schedule") in page
    assert reverse("invigilation:availability") in page
    assert invigilator.role == Role.INVIGILATOR


def test_fraud_report_is_served_to_administrators_only(
    client, administrator, invigilator, today_session
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    registration = confirm(today_session, 1)[0]
    incident = invigilation.report_incident(
        today_session,
        registration=registration,
        code="C6",
        fraud_report=SimpleUploadedFile("rapport.pdf", b"%PDF-1.4 rapport"),
        acting_user=invigilator,
    )
    url = reverse("invigilation:fraud_report", args=[today_session.pk, incident.pk])
    login(client, invigilator)
    assert client.get(url).status_code == 403
    login(client, administrator)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 rapport"
    page = client.get(reverse("invigilation:finalise", args=[today_session.pk])).content.decode()
    assert url in page


def test_invigilator_removes_only_their_own_periods(client, invigilator):
    mine = available(invigilator)
    other = available(make_invigilator())
    login(client, invigilator)
    assert (
        client.post(reverse("invigilation:availability_delete", args=[other.pk])).status_code == 404
    )
    assert (
        client.post(reverse("invigilation:availability_delete", args=[mine.pk])).status_code == 302
    )
    assert list(InvigilatorPeriod.objects.all()) == [other]


def test_administrator_unassigns(client, administrator, invigilator, today_session):
    assignment = Assignment.objects.get(session=today_session)
    login(client, administrator)
    url = reverse("invigilation:unassign", args=[today_session.pk, assignment.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not Assignment.objects.filter(session=today_session).exists()
