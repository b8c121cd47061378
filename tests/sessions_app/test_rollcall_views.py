"""The roll call's endpoints: JSON for the page's script, redirects without it; who may mark
(404 for a session not assigned, 403 for other roles); the presence address of a QR code; the
clash flags on the pages that show them."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from sessions_app import attendance_codes
from sessions_app.models import PARIS, Attendance, AttendanceStatus
from sessions_app.services import invigilation

from .invigilation_fixtures import available, confirm, make_invigilator
from .test_invigilation_views import login, session_on

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def this_year(db):
    from candidates.models import AcademicYear

    today = timezone.localdate()
    start = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    return AcademicYear.objects.create(
        label=f"{start.year}-{start.year + 1}",
        start_date=start,
        end_date=dt.date(start.year + 1, 8, 31),
    )


@pytest.fixture
def today_session(this_year, room, administrator, invigilator):
    session = session_on(this_year, room)
    invigilation.assign_invigilator(session, invigilator, acting_user=administrator)
    return session


def test_marking_answers_json_with_the_row_and_the_counts(client, invigilator, today_session):
    first, _second = confirm(today_session, 2)
    login(client, invigilator)
    response = client.post(
        reverse("invigilation:mark", args=[today_session.pk, first.pk]),
        {"present": "present", "identity_checked": "on"},
        **JSON,
    )
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True
    assert data["rows"] == [
        {
            "registration": first.pk,
            "status": "present",
            "identity_checked": True,
            "label": "Présent · identité vérifiée",
        }
    ]
    assert data["counts"] == {"present": 1, "absent": 0, "unmarked": 1, "total": 2}
    # The same request without JSON: the day page again, with a message.
    response = client.post(
        reverse("invigilation:mark", args=[today_session.pk, first.pk]), {"present": "absent"}
    )
    assert response.status_code == 302
    assert Attendance.objects.get().status == AttendanceStatus.ABSENT


def test_all_present_answers_every_row_it_marked(client, invigilator, today_session):
    registrations = confirm(today_session, 3)
    login(client, invigilator)
    response = client.post(reverse("invigilation:mark_all", args=[today_session.pk]), **JSON)
    data = response.json()
    assert sorted(r["registration"] for r in data["rows"]) == sorted(r.pk for r in registrations)
    assert data["counts"]["present"] == 3


def test_a_wrong_code_is_a_400_with_the_reason(client, invigilator, today_session):
    confirm(today_session, 1)
    login(client, invigilator)
    response = client.post(
        reverse("invigilation:mark_code", args=[today_session.pk]), {"code": "nope"}, **JSON
    )
    assert response.status_code == 400
    assert "Code inconnu" in response.json()["message"]
    assert not Attendance.objects.exists()


def test_another_invigilator_gets_404_everywhere(client, today_session):
    (registration,) = confirm(today_session, 1)
    login(client, make_invigilator())
    token = attendance_codes.token_for(registration.pk)
    assert client.post(reverse("invigilation:mark_all", args=[today_session.pk])).status_code == 404
    url = reverse("invigilation:mark_code", args=[today_session.pk])
    assert client.post(url, {"code": token}).status_code == 404
    assert client.get(reverse("invigilation:presence", args=[token])).status_code == 404
    assert client.post(reverse("invigilation:presence", args=[token])).status_code == 404
    assert not Attendance.objects.exists()


def test_the_presence_address_shows_the_candidate_and_marks_only_on_post(
    client, invigilator, today_session
):
    (registration,) = confirm(today_session, 1)
    login(client, invigilator)
    url = reverse("invigilation:presence", args=[attendance_codes.token_for(registration.pk)])
    response = client.get(url)
    assert response.status_code == 200
    assert str(registration.candidate) in response.content.decode()
    assert not Attendance.objects.exists()
    response = client.post(url)
    assert response.status_code == 302
    assert Attendance.objects.get().status == AttendanceStatus.PRESENT
    forged = reverse("invigilation:presence", args=[f"{registration.pk}-AAAAAAAAAAAA"])
    assert client.get(forged).status_code == 404


def test_students_cannot_mark_themselves_present_with_their_own_code(
    client, student, today_session
):
    (registration,) = confirm(today_session, 1)
    login(client, student)
    url = reverse("invigilation:presence", args=[attendance_codes.token_for(registration.pk)])
    assert client.post(url).status_code == 403
    assert not Attendance.objects.exists()


# --- clash flags ------------------------------------------------------------------------------


@pytest.fixture
def clash(this_year, room, administrator):
    paul = make_invigilator("Paul")
    available(paul, start=this_year.start_date, end=this_year.end_date)
    session = session_on(this_year, room, day_offset=5)
    invigilation.assign_invigilator(session, paul, acting_user=administrator)
    start = dt.datetime.combine(session.date, dt.time(8), tzinfo=PARIS)
    invigilation.declare_period(
        acting_user=paul, kind="unavailable", starts_at=start,
        ends_at=start + dt.timedelta(hours=4), note="Jury",
    )  # fmt: skip
    return session, paul


def test_the_clash_shows_on_the_administrators_home_session_and_assign_pages(
    client, administrator, clash
):
    session, paul = clash
    login(client, administrator)
    for url in (
        reverse("home"),
        reverse("sessions_app:session", args=[session.pk]),
        reverse("invigilation:assign", args=[session.pk]),
    ):
        page = client.get(url).content.decode()
        assert 'data-testid="clashes"' in page, url
        assert "Jury" in page and str(paul) in page, url


def test_the_clash_shows_to_the_invigilator(client, clash):
    session, paul = clash
    login(client, paul)
    for url in (
        reverse("home"),
        reverse("invigilation:schedule"),
        reverse("invigilation:availability"),
    ):
        page = client.get(url).content.decode()
        assert 'data-testid="clashes"' in page, url


def test_declaring_a_clashing_unavailability_warns_the_invigilator(
    client, this_year, room, administrator
):
    paul = make_invigilator("Paul")
    available(paul, start=this_year.start_date, end=this_year.end_date)
    session = session_on(this_year, room, day_offset=5)
    invigilation.assign_invigilator(session, paul, acting_user=administrator)
    login(client, paul)
    day = session.date.isoformat()
    response = client.post(
        reverse("invigilation:availability"),
        {"kind": "unavailable", "starts_at": f"{day}T08:00", "ends_at": f"{day}T12:00"},
    )
    assert response.status_code == 302
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("chevauche la session" in t for t in texts), texts


def test_no_flag_without_a_clash(client, administrator, today_session):
    login(client, administrator)
    assert 'data-testid="clashes"' not in client.get(reverse("home")).content.decode()
    assert timezone.localdate() == today_session.date
