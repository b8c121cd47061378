"""Roll call in bulk and by the convocation's presence code, through the services."""

import pytest

from accounts.models import AuditEntry
from sessions_app import attendance_codes
from sessions_app.models import Attendance, AttendanceStatus, RegistrationStatus, SessionStatus
from sessions_app.services import attendance, invigilation
from sessions_app.services.invigilation import InvigilationError

from .conftest import NOW, make_session
from .invigilation_fixtures import confirm, make_invigilator

pytestmark = pytest.mark.django_db


@pytest.fixture
def today_session(year, room, administrator, invigilator):
    session = make_session(year, room, day=1, hour=9, status=SessionStatus.CLOSED)
    invigilation.assign_invigilator(session, invigilator, acting_user=administrator, now=NOW)
    return session


def statuses(session):
    return {
        a.registration_id: a.status
        for a in Attendance.objects.filter(registration__session=session)
    }


# --- everybody present, then the exceptions ---------------------------------------------------


def test_all_present_marks_only_those_not_called_yet(today_session, invigilator):
    first, second, third = confirm(today_session, 3)
    attendance.mark_attendance(first, present=False, acting_user=invigilator, now=NOW)

    marked = attendance.mark_all_present(today_session, acting_user=invigilator, now=NOW)

    assert sorted(a.registration_id for a in marked) == sorted([second.pk, third.pk])
    assert statuses(today_session) == {
        first.pk: AttendanceStatus.ABSENT,  # an absence already noted stays
        second.pk: AttendanceStatus.PRESENT,
        third.pk: AttendanceStatus.PRESENT,
    }
    assert AuditEntry.objects.filter(action="attendance_marked").count() == 3
    # A second tap (a double click) changes nothing and writes nothing.
    assert attendance.mark_all_present(today_session, acting_user=invigilator, now=NOW) == []
    assert AuditEntry.objects.filter(action="attendance_marked").count() == 3


def test_all_present_leaves_out_waitlisted_and_cancelled(today_session, invigilator):
    (confirmed,) = confirm(today_session, 1)
    waiting, gone = confirm(today_session, 2)
    waiting.status = RegistrationStatus.WAITLISTED
    waiting.waitlist_order = 1
    waiting.save()
    gone.status = RegistrationStatus.CANCELLED
    gone.save()
    attendance.mark_all_present(today_session, acting_user=invigilator, now=NOW)
    assert statuses(today_session) == {confirmed.pk: AttendanceStatus.PRESENT}


def test_all_present_is_refused_to_another_invigilator_and_before_the_day(
    today_session, year, room, administrator, invigilator
):
    confirm(today_session, 2)
    with pytest.raises(InvigilationError):
        attendance.mark_all_present(today_session, acting_user=make_invigilator(), now=NOW)
    later = make_session(year, room, day=20)
    invigilation.assign_invigilator(later, invigilator, acting_user=administrator, now=NOW)
    confirm(later, 1)
    with pytest.raises(InvigilationError, match="le jour de la session"):
        attendance.mark_all_present(later, acting_user=invigilator, now=NOW)
    assert not Attendance.objects.exists()


def test_roll_call_counts(today_session, invigilator):
    first, second, _third = confirm(today_session, 3)
    attendance.mark_attendance(first, present=True, acting_user=invigilator, now=NOW)
    attendance.mark_attendance(second, present=False, acting_user=invigilator, now=NOW)
    assert attendance.roll_call_counts(today_session) == {
        "present": 1, "absent": 1, "unmarked": 1, "total": 3,
    }  # fmt: skip


# --- by the presence code ---------------------------------------------------------------------


def test_the_scanned_address_marks_the_candidate_present_keeping_the_identity_check(
    today_session, invigilator
):
    registration, other = confirm(today_session, 2)
    attendance.mark_attendance(
        registration, present=False, identity_checked=False, acting_user=invigilator, now=NOW
    )
    url = f"https://pix.example.org/surveillance/presence/{attendance_codes.token_for(registration.pk)}/"

    marked = attendance.mark_present_by_code(today_session, url, acting_user=invigilator, now=NOW)

    assert marked.registration_id == registration.pk
    assert statuses(today_session) == {registration.pk: AttendanceStatus.PRESENT}
    entry = AuditEntry.objects.filter(action="attendance_marked").latest("pk")
    assert entry.after == {"status": "present", "identity_checked": False}


def test_the_code_typed_by_hand_is_found_among_the_session_candidates(today_session, invigilator):
    registration, _other = confirm(today_session, 2)
    typed = attendance_codes.display(attendance_codes.code_for(registration.pk)).lower()
    marked = attendance.mark_present_by_code(
        today_session, f"  {typed} ", acting_user=invigilator, now=NOW
    )
    assert marked.registration_id == registration.pk


def test_a_wrong_or_forged_code_marks_nobody(today_session, invigilator):
    registration, other = confirm(today_session, 2)
    forged = f"{registration.pk}-{attendance_codes.code_for(other.pk)}"
    for text in ("", "ABCD-EFGH-JKLM", forged, str(registration.pk)):
        with pytest.raises(InvigilationError, match="Code inconnu"):
            attendance.mark_present_by_code(today_session, text, acting_user=invigilator, now=NOW)
    assert not Attendance.objects.exists()


def test_a_convocation_of_another_session_says_so(
    today_session, year, other_room, administrator, invigilator
):
    elsewhere = make_session(year, other_room, day=1, hour=14, status=SessionStatus.CLOSED)
    (stranger,) = confirm(elsewhere, 1)
    confirm(today_session, 1)
    with pytest.raises(InvigilationError, match="autre session"):
        attendance.mark_present_by_code(
            today_session, attendance_codes.token_for(stranger.pk), acting_user=invigilator,
            now=NOW,
        )  # fmt: skip
    assert not Attendance.objects.exists()


def test_only_an_invigilator_of_the_session_marks_by_code(today_session):
    (registration,) = confirm(today_session, 1)
    with pytest.raises(InvigilationError):
        attendance.mark_present_by_code(
            today_session, attendance_codes.token_for(registration.pk),
            acting_user=make_invigilator(), now=NOW,
        )  # fmt: skip
    assert not Attendance.objects.exists()


def test_a_cancelled_seat_is_not_marked_by_its_old_convocation(today_session, invigilator):
    (registration,) = confirm(today_session, 1)
    registration.status = RegistrationStatus.CANCELLED
    registration.save()
    with pytest.raises(InvigilationError, match="place confirmée"):
        attendance.mark_present_by_code(
            today_session, attendance_codes.token_for(registration.pk), acting_user=invigilator,
            now=NOW,
        )  # fmt: skip
