"""An unavailability declared after an assignment that it overlaps is flagged; an assignment
emails the invigilator a calendar invitation, once, and their removal its cancellation."""

import datetime as dt

import icalendar
import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from sessions_app.models import PARIS, Assignment, AssignmentCancellation, SessionStatus
from sessions_app.services import invigilation
from sessions_app.services.mail import emails_suppressed
from sessions_app.tasks import notify_assignment, notify_unassignment

from .conftest import NOW, make_session
from .invigilation_fixtures import available, confirm, make_invigilator

pytestmark = pytest.mark.django_db


def declare_unavailable(user, day, start_hour, end_hour, note=""):
    return invigilation.declare_period(
        acting_user=user,
        kind="unavailable",
        starts_at=dt.datetime.combine(day, dt.time(start_hour), tzinfo=PARIS),
        ends_at=dt.datetime.combine(day, dt.time(end_hour), tzinfo=PARIS),
        note=note,
        now=NOW,
    )


@pytest.fixture
def assigned(year, room, administrator):
    """Paul invigilates a session on 15 October at 9:00 (2 hours: until 11:00)."""
    paul = make_invigilator("Paul")
    available(paul)
    session = make_session(year, room, day=15, hour=9)
    confirm(session, 3)
    invigilation.assign_invigilator(session, paul, acting_user=administrator, now=NOW)
    return session, paul


def test_an_unavailability_over_an_assignment_is_a_clash(assigned):
    session, paul = assigned
    period = declare_unavailable(paul, session.date, 10, 12, "Rendez-vous médical")

    (clash,) = invigilation.assignment_clashes(today=NOW.date())

    assert clash.assignment.session == session
    assert clash.assignment.invigilator == paul
    assert clash.period == period
    assert invigilation.assignment_clashes(today=NOW.date(), session=session) == [clash]
    assert invigilation.assignment_clashes(today=NOW.date(), invigilator=paul) == [clash]


def test_an_unavailability_that_only_touches_the_window_is_not_a_clash(assigned):
    session, paul = assigned
    declare_unavailable(paul, session.date, 11, 13)  # the session's window ends at 11:00
    declare_unavailable(paul, session.date, 6, 9)  # and starts at 9:00
    assert invigilation.assignment_clashes(today=NOW.date()) == []


def test_the_extra_time_extension_counts_in_the_clash(assigned):
    session, paul = assigned
    declare_unavailable(paul, session.date, 11, 13)
    assert invigilation.assignment_clashes(today=NOW.date()) == []
    first = session.registrations.first()
    first.candidate.extra_time_percent = 33
    first.candidate.save()
    # Now the window is 9:00–11:40: the unavailability from 11:00 overlaps it.
    assert len(invigilation.assignment_clashes(today=NOW.date())) == 1


def test_past_cancelled_and_finalised_sessions_raise_no_flag(assigned, year, room, administrator):
    session, paul = assigned
    declare_unavailable(paul, session.date, 8, 18)
    assert invigilation.assignment_clashes(today=session.date + dt.timedelta(days=1)) == []
    session.status = SessionStatus.CANCELLED
    session.save()
    assert invigilation.assignment_clashes(today=NOW.date()) == []


def test_another_invigilators_unavailability_is_not_a_clash(assigned):
    session, _paul = assigned
    marie = make_invigilator("Marie")
    declare_unavailable(marie, session.date, 8, 18)
    assert invigilation.assignment_clashes(today=NOW.date()) == []


def test_clashes_take_a_constant_number_of_queries(
    assigned, year, room, other_room, administrator, django_assert_num_queries
):
    session, paul = assigned
    for day in (16, 17, 20):
        other = make_session(year, other_room, day=day, hour=14)
        confirm(other, 2)
        invigilation.assign_invigilator(other, paul, acting_user=administrator, now=NOW)
        declare_unavailable(paul, other.date, 13, 18)
    declare_unavailable(paul, session.date, 8, 18)
    # 1: the coming assignments whose invigilator has an unavailability ahead (with session,
    # room and invigilator); 2: those unavailabilities; 3: the sessions' staffing (confirmed
    # counts and extra time) for their windows.
    with django_assert_num_queries(3):
        clashes = invigilation.assignment_clashes(today=NOW.date())
    assert len(clashes) == 4


def test_declaring_a_clashing_unavailability_tells_which_sessions(assigned):
    session, paul = assigned
    period = declare_unavailable(paul, session.date, 8, 18)
    assert [c.assignment.session for c in invigilation.clashes_of_period(period)] == [session]


# --- the assignment email ---------------------------------------------------------------------


def test_an_assignment_emails_the_invigilator_a_calendar_invitation(
    year, room, administrator, django_capture_on_commit_callbacks
):
    paul = make_invigilator("Paul")
    available(paul)
    session = make_session(year, room, day=15, hour=9)
    confirm(session, 2, extra_time=33)
    with django_capture_on_commit_callbacks(execute=True):
        assignment = invigilation.assign_invigilator(
            session, paul, acting_user=administrator, now=NOW
        )

    (message,) = mail.outbox
    assert message.to == [paul.email]
    assert "surveillance" in message.subject.lower()
    assert "mercredi 15 octobre 2025" in message.body and "9:00" in message.body.replace("h", ":")
    (name, ics, content_type) = message.attachments[0]
    assert name.endswith(".ics") and content_type.startswith("text/calendar")
    (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert event.decoded("dtstart") == dt.datetime(2025, 10, 15, 9, 0, tzinfo=PARIS)
    # 2 hours plus the 40-minute extension (a candidate has extra time).
    assert event.decoded("dtend") == dt.datetime(2025, 10, 15, 11, 40, tzinfo=PARIS)
    assert "Salle S1" in str(event["location"])
    assert str(event["uid"]) == f"assignment-{assignment.pk}@pixcentre"
    assert Assignment.objects.get().notified_at is not None


def test_the_assignment_email_leaves_once(
    year, room, administrator, django_capture_on_commit_callbacks
):
    paul = make_invigilator("Paul")
    available(paul)
    session = make_session(year, room, day=15, hour=9)
    with django_capture_on_commit_callbacks(execute=True):
        assignment = invigilation.assign_invigilator(
            session, paul, acting_user=administrator, now=NOW
        )
    assert len(mail.outbox) == 1
    notify_assignment.delay(assignment.pk).get()  # a second delivery of the task
    with django_capture_on_commit_callbacks(execute=True):
        invigilation.assign_invigilator(session, paul, acting_user=administrator, now=NOW)
    assert len(mail.outbox) == 1


def test_the_assignment_email_is_in_the_invigilators_language(
    year, room, administrator, django_capture_on_commit_callbacks
):
    paul = make_invigilator("Paul")
    paul.preferred_language = "en"
    paul.save()
    available(paul)
    session = make_session(year, room, day=15, hour=9)
    with django_capture_on_commit_callbacks(execute=True):
        invigilation.assign_invigilator(session, paul, acting_user=administrator, now=NOW)
    (message,) = mail.outbox
    assert message.subject.startswith("[Centre Pix] Pix certification invigilation on ")
    assert "October" in message.body and "You are assigned to invigilate" in message.body
    assert message.body.rstrip().endswith(f"team\n{settings.PIX_CENTRE_CONTACT_EMAIL}")
    assert "Bonjour" not in message.body and "L’équipe" not in message.body
    (event,) = icalendar.Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")
    assert str(event["summary"]) == "Pix certification invigilation"


# --- the cancellation email -------------------------------------------------------------------


@pytest.fixture
def told(year, room, administrator, django_capture_on_commit_callbacks):
    """Paul is assigned to a session on 15 October at 9:00 and has received his invitation."""
    paul = make_invigilator("Paul")
    available(paul)
    session = make_session(year, room, day=15, hour=9)
    with django_capture_on_commit_callbacks(execute=True):
        assignment = invigilation.assign_invigilator(
            session, paul, acting_user=administrator, now=NOW
        )
    (invitation,) = mail.outbox
    return assignment, invitation


def event_of(message):
    (name, ics, content_type) = message.attachments[0]
    calendar = icalendar.Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    return calendar, event, content_type


def test_removing_an_invigilator_emails_them_a_calendar_cancellation_of_the_same_event(
    told, administrator, django_capture_on_commit_callbacks
):
    assignment, invitation = told
    paul, number = assignment.invigilator, assignment.pk
    with django_capture_on_commit_callbacks(execute=True):
        invigilation.unassign_invigilator(assignment, acting_user=administrator, now=NOW)

    assert len(mail.outbox) == 2
    message = mail.outbox[1]
    assert message.to == [paul.email]
    assert message.subject == (
        "[Centre Pix] Surveillance annulée : certification Pix du mercredi 15 octobre 2025"
    )
    assert message.body.startswith(f"Bonjour {paul.first_name},\n\nVous n’êtes plus affecté(e)")
    assert "le mercredi 15 octobre 2025 à 09:00" in message.body
    assert "L’équipe du" in message.body
    calendar, event, content_type = event_of(message)
    assert content_type == "text/calendar; method=CANCEL"
    assert str(calendar["method"]) == "CANCEL"
    assert str(event["status"]) == "CANCELLED" and event["sequence"] == 1
    _invitation_calendar, invited, _ = event_of(invitation)
    assert str(_invitation_calendar["method"]) == "REQUEST"
    assert str(event["uid"]) == str(invited["uid"]) == f"assignment-{number}@pixcentre"
    assert event.decoded("dtstart") == invited.decoded("dtstart")
    assert not Assignment.objects.exists()
    assert AssignmentCancellation.objects.get().notified_at is not None


def test_the_cancellation_email_leaves_once(
    told, administrator, django_capture_on_commit_callbacks
):
    assignment, _invitation = told
    with django_capture_on_commit_callbacks(execute=True):
        invigilation.unassign_invigilator(assignment, acting_user=administrator, now=NOW)
    assert len(mail.outbox) == 2
    cancellation = AssignmentCancellation.objects.get()
    notify_unassignment.delay(cancellation.pk).get()  # a second delivery of the task
    assert invigilation.notify_unassignment(cancellation.pk) == "skipped"
    assert len(mail.outbox) == 2


def test_a_refused_cancellation_email_is_released_for_the_retry(
    told, administrator, django_capture_on_commit_callbacks, monkeypatch
):
    assignment, _invitation = told
    with django_capture_on_commit_callbacks(execute=False) as queued:
        invigilation.unassign_invigilator(assignment, acting_user=administrator, now=NOW)
    assert len(queued) == 1 and len(mail.outbox) == 1  # queued, not sent before the commit
    cancellation = AssignmentCancellation.objects.get()

    def refuse(self, *args, **kwargs):
        raise OSError("mail server down")

    with monkeypatch.context() as patched:
        patched.setattr("django.core.mail.EmailMessage.send", refuse)
        with pytest.raises(OSError):
            invigilation.notify_unassignment(cancellation.pk)
    cancellation.refresh_from_db()
    assert cancellation.notified_at is None
    assert invigilation.notify_unassignment(cancellation.pk) == "sent"
    assert len(mail.outbox) == 2


def test_an_invigilator_never_told_of_the_assignment_is_not_told_of_its_removal(
    year, room, administrator, django_capture_on_commit_callbacks
):
    paul = make_invigilator("Paul")
    available(paul)
    session = make_session(year, room, day=15, hour=9)
    with emails_suppressed():
        assignment = invigilation.assign_invigilator(
            session, paul, acting_user=administrator, now=NOW
        )
    with django_capture_on_commit_callbacks(execute=True):
        invigilation.unassign_invigilator(assignment, acting_user=administrator, now=NOW)
    assert mail.outbox == [] and not AssignmentCancellation.objects.exists()


def test_the_cancellation_email_is_in_the_invigilators_language(
    told, administrator, django_capture_on_commit_callbacks
):
    assignment, _invitation = told
    paul = assignment.invigilator
    paul.preferred_language = "en"
    paul.save()
    # The administrator works in French.
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        invigilation.unassign_invigilator(assignment, acting_user=administrator, now=NOW)
    message = mail.outbox[1]
    assert message.subject == (
        "[Centre Pix] Invigilation cancelled: Pix certification on Wednesday 15 October 2025"
    )
    assert message.body.startswith(
        f"Hello {paul.first_name},\n\nYou are no longer assigned to invigilate"
    )
    assert "Bonjour" not in message.body and "L’équipe" not in message.body
    _calendar, event, _ = event_of(message)
    assert str(event["summary"]) == "Pix certification invigilation"
