"""Reminders 7 days and 1 day before a session: confirmed candidates only, each kind once."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail

from sessions_app.models import (
    PARIS,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    ReminderSent,
    SessionStatus,
)
from sessions_app.services import convocations
from sessions_app.tasks import send_reminders
from tests.conftest import make_user

from .conftest import NOW, make_candidate, make_session

pytestmark = pytest.mark.django_db


def register(session, status=RegistrationStatus.CONFIRMED):
    return Registration.objects.create(
        candidate=make_candidate(),
        session=session,
        academic_year=session.academic_year,
        status=status,
        source=RegistrationSource.FIRST_COME,
        waitlist_order=1 if status == RegistrationStatus.WAITLISTED else None,
        created_at=NOW,
    )


@pytest.fixture
def upcoming(year, room):
    """Session on Wednesday 15 October 2025 at 9:00 (NOW is 1 October, 9:00)."""
    session = make_session(year, room, day=15, hour=9)
    confirmed = [register(session), register(session)]
    register(session, RegistrationStatus.CANCELLED)
    register(session, RegistrationStatus.WAITLISTED)
    return session, confirmed


def at(day, hour):
    return dt.datetime(2025, 10, day, hour, 0, tzinfo=PARIS)


def test_the_week_reminder_goes_once_to_confirmed_candidates_only(upcoming):
    session, confirmed = upcoming
    assert convocations.send_reminders("7d", now=at(7, 8))["sent"] == 0  # 8 days before
    assert convocations.send_reminders("7d", now=at(8, 10))["sent"] == 2  # within 7 days
    assert convocations.send_reminders("7d", now=at(9, 10))["sent"] == 0  # already sent
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        r.candidate.convocation_email for r in confirmed
    )
    assert "dans une semaine" in mail.outbox[0].subject


def test_the_day_reminder_goes_the_day_before_and_only_once(upcoming):
    session, confirmed = upcoming
    assert convocations.send_reminders("1d", now=at(13, 9))["sent"] == 0  # 2 days before
    assert convocations.send_reminders("1d", now=at(14, 10))["sent"] == 2
    assert convocations.send_reminders("1d", now=at(14, 18))["sent"] == 0
    # Within the last day the week reminder is no longer due.
    assert convocations.send_reminders("7d", now=at(14, 18))["sent"] == 0
    assert [m.subject.endswith("demain") for m in mail.outbox] == [True, True]
    assert ReminderSent.objects.filter(sent_at__isnull=False).count() == 2


def test_a_cancelled_session_or_seat_gets_no_reminder(upcoming):
    session, confirmed = upcoming
    confirmed[0].status = RegistrationStatus.CANCELLED
    confirmed[0].save()
    assert convocations.send_reminders("1d", now=at(14, 10))["sent"] == 1
    session.status = SessionStatus.CANCELLED
    session.save()
    assert convocations.send_reminders("7d", now=at(9, 10))["sent"] == 0


def test_a_failed_reminder_is_tried_again_at_the_next_run(upcoming, settings):
    settings.EMAIL_BACKEND = "tests.sessions_app.test_convocations.FailOnThirdBackend"
    from tests.sessions_app.test_convocations import FailOnThirdBackend

    FailOnThirdBackend.calls = 1  # the 2nd message of this run is refused
    first = convocations.send_reminders("1d", now=at(14, 10))
    assert (first["sent"], first["failed"]) == (1, 1)
    assert convocations.send_reminders("1d", now=at(14, 11))["sent"] == 1
    assert len(mail.outbox) == 2 and len({m.to[0] for m in mail.outbox}) == 2


def test_the_beat_schedule_runs_both_reminders():
    tasks = {(e["task"], e.get("args")) for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert ("sessions_app.tasks.send_reminders", ("7d",)) in tasks
    assert ("sessions_app.tasks.send_reminders", ("1d",)) in tasks


def test_the_reminder_task_runs_the_service(upcoming, time_machine):
    time_machine.move_to(at(14, 10))
    assert send_reminders.delay("1d").get() == {"kind": "1d", "sent": 2, "failed": 0}


def test_a_failed_day_reminder_is_retried_even_after_the_week_one_was_sent(upcoming, settings):
    session, confirmed = upcoming
    assert convocations.send_reminders("7d", now=at(9, 10))["sent"] == 2
    settings.EMAIL_BACKEND = "tests.sessions_app.test_convocations.FailOnThirdBackend"
    from tests.sessions_app.test_convocations import FailOnThirdBackend

    FailOnThirdBackend.calls = 1
    assert convocations.send_reminders("1d", now=at(14, 10))["failed"] == 1
    assert convocations.send_reminders("1d", now=at(14, 11))["sent"] == 1
    assert ReminderSent.objects.filter(kind="1d", sent_at__isnull=False).count() == 2


def test_the_reminder_is_in_the_candidates_language(upcoming):
    session, (english, french) = upcoming
    english.candidate.user = make_user("emma.smith@example.org", preferred_language="en")
    english.candidate.save(update_fields=["user"])
    assert convocations.send_reminders("1d", now=at(14, 10))["sent"] == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    in_english = by_address[english.candidate.convocation_email]
    assert in_english.subject == "[Centre Pix] Reminder: your Pix certification is tomorrow"
    assert in_english.body.startswith("Hello ") and "Bonjour" not in in_english.body
    in_french = by_address[french.candidate.convocation_email]
    assert in_french.subject == "[Centre Pix] Rappel : votre certification Pix a lieu demain"
    assert in_french.body.startswith("Bonjour ")
