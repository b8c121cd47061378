"""Convocations: one stored PDF per confirmed candidate, one email each (PDF + .ics), whatever
happens to the task; a session that moves is convened again."""

import datetime as dt
import io
import smtplib
from collections import Counter

import icalendar
import pypdf
import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from sessions_app.models import (
    PARIS,
    Convocation,
    ConvocationStatus,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    Room,
)
from sessions_app.services import SessionError, convocations
from sessions_app.tasks import send_session_convocations
from tests.conftest import make_user

from .conftest import NOW, make_candidate, make_session

pytestmark = pytest.mark.django_db


def register(session, candidate, status=RegistrationStatus.CONFIRMED):
    return Registration.objects.create(
        candidate=candidate,
        session=session,
        academic_year=session.academic_year,
        status=status,
        source=RegistrationSource.FIRST_COME,
        waitlist_order=1 if status == RegistrationStatus.WAITLISTED else None,
        created_at=NOW,
        confirmed_at=NOW,
    )


@pytest.fixture
def convened(year, room):
    """A session with 4 confirmed candidates, one waitlisted and one who cancelled."""
    room.address = "74 rue Louis Pasteur, 84000 Avignon"
    room.save()
    session = make_session(year, room, day=20, hour=14)
    confirmed = [register(session, make_candidate()) for _ in range(4)]
    register(session, make_candidate(), RegistrationStatus.WAITLISTED)
    register(session, make_candidate(), RegistrationStatus.CANCELLED)
    return session, confirmed


def pdf_text(convocation) -> tuple[int, str]:
    with convocation.file.open("rb") as f:
        reader = pypdf.PdfReader(io.BytesIO(f.read()))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def per_recipient():
    return Counter(to for message in mail.outbox for to in message.to)


def test_one_pdf_per_confirmed_candidate_with_name_date_time_and_room(convened):
    session, confirmed = convened
    send_session_convocations.delay(session.pk).get()

    stored = Convocation.objects.select_related("registration__candidate")
    assert sorted(c.registration_id for c in stored) == sorted(r.pk for r in confirmed)
    for convocation in stored:
        candidate = convocation.registration.candidate
        pages, text = pdf_text(convocation)
        assert pages == 1
        assert candidate.birth_name in text and candidate.first_name in text
        assert "20 octobre 2025" in text
        assert "14:00" in text and "13:45" in text  # start, and arrival 15 minutes before
        assert "Salle S1" in text and "74 rue Louis Pasteur" in text
        assert "1 h 45" in text
        flat = " ".join(text.split())
        assert "avant le vendredi 17 octobre 2025 à 14:00" in flat  # 72 hours before
        assert "/sessions/mon-inscription/" in flat  # where they cancel
        assert convocation.generated_at is not None


def test_each_candidate_gets_one_email_with_the_stored_pdf_and_a_valid_ics_even_run_twice(
    convened,
):
    session, confirmed = convened
    send_session_convocations.delay(session.pk).get()
    send_session_convocations.delay(session.pk).get()

    assert per_recipient() == Counter(r.candidate.convocation_email for r in confirmed)
    for message in mail.outbox:
        registration = next(r for r in confirmed if r.candidate.convocation_email in message.to)
        (pdf_name, pdf, pdf_type), (ics_name, ics, ics_type) = message.attachments
        assert pdf_type == "application/pdf" and pdf.startswith(b"%PDF")
        with registration.convocation.file.open("rb") as f:
            assert pdf == f.read()  # the stored file, not a new rendering
        calendar = icalendar.Calendar.from_ical(ics)
        (event,) = calendar.walk("VEVENT")
        assert event.decoded("dtstart") == dt.datetime(2025, 10, 20, 13, 45, tzinfo=PARIS)
        assert event.decoded("dtend") == dt.datetime(2025, 10, 20, 15, 45, tzinfo=PARIS)
        assert "Salle S1" in str(event["location"])
        assert ics_type.startswith("text/calendar")
    assert set(Convocation.objects.values_list("status", flat=True)) == {"sent"}


class FailOnThirdBackend(EmailBackend):
    """The SMTP server refuses the 3rd message once (a transient failure)."""

    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).calls == 3:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return super().send_messages(messages)


def test_an_smtp_failure_on_the_third_email_is_retried_and_nobody_gets_two(convened, settings):
    session, confirmed = convened
    FailOnThirdBackend.calls = 0
    settings.EMAIL_BACKEND = f"{__name__}.FailOnThirdBackend"
    send_session_convocations.delay(session.pk).get()
    send_session_convocations.delay(session.pk).get()

    assert per_recipient() == Counter(r.candidate.convocation_email for r in confirmed)
    retried = Convocation.objects.get(attempts=2)
    assert retried.status == ConvocationStatus.SENT
    assert Convocation.objects.filter(status=ConvocationStatus.SENT).count() == 4


class WorkerKilled(BaseException):
    """Not an Exception: like a killed process, nothing in our code gets to clean up."""


class DieOnThirdBackend(EmailBackend):
    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).calls == 3:
            raise WorkerKilled
        return super().send_messages(messages)


def test_a_worker_that_dies_midway_is_finished_by_the_next_run_without_duplicates(
    convened, settings
):
    session, confirmed = convened
    DieOnThirdBackend.calls = 0
    settings.EMAIL_BACKEND = f"{__name__}.DieOnThirdBackend"
    with pytest.raises(WorkerKilled):
        send_session_convocations.delay(session.pk).get()
    assert len(mail.outbox) == 2

    # At once, the dead worker's claims still hold (its batch, the four convocations, was
    # claimed in one statement): nothing more is sent, nothing twice.
    send_session_convocations.delay(session.pk).get()
    assert len(mail.outbox) == 2
    # Once the claim has expired, the next run finishes the rest.
    with time_machine.travel(dt.datetime.now(tz=PARIS) + dt.timedelta(minutes=11)):
        send_session_convocations.delay(session.pk).get()
    assert per_recipient() == Counter(r.candidate.convocation_email for r in confirmed)
    assert not Convocation.objects.filter(sent_at__isnull=True).exists()


class AlwaysRefuseOne(EmailBackend):
    refused = ""

    def send_messages(self, messages):
        if any(self.refused in m.to for m in messages):
            raise smtplib.SMTPRecipientsRefused({self.refused: (550, b"no such user")})
        return super().send_messages(messages)


def test_a_failing_address_is_retried_then_shown_failed_and_can_be_resent(
    convened, settings, administrator, django_capture_on_commit_callbacks
):
    session, confirmed = convened
    bad = confirmed[1]
    AlwaysRefuseOne.refused = bad.candidate.convocation_email
    settings.EMAIL_BACKEND = f"{__name__}.AlwaysRefuseOne"
    send_session_convocations.delay(session.pk).get()

    failed = Convocation.objects.get(registration=bad)
    assert failed.status == ConvocationStatus.FAILED
    assert failed.attempts == convocations.MAX_SEND_ATTEMPTS
    assert "no such user" in failed.last_error
    assert convocations.progress(session) == {
        "generated": 4, "sent": 3, "failed": 1, "no_address": 0, "total": 4, "done": True,
    }  # fmt: skip
    assert len(mail.outbox) == 3

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send_session_convocations.delay(session.pk).get()  # a plain re-run leaves failed ones alone
    assert len(mail.outbox) == 3
    convocations.prepare_resend(failed, acting_user=administrator)
    convocations.deliver_convocation(failed.pk)
    assert per_recipient()[bad.candidate.convocation_email] == 1
    assert Convocation.objects.get(pk=failed.pk).status == ConvocationStatus.SENT


def test_changing_the_room_regenerates_the_convocations_and_tells_the_candidates(
    convened, administrator, django_capture_on_commit_callbacks
):
    session, confirmed = convened
    send_session_convocations.delay(session.pk).get()
    old_files = set(Convocation.objects.values_list("file", flat=True))
    new_room = Room.objects.create(
        site="Agroparc", name="Salle A2", capacity=30, address="339 chemin des Meinajariès"
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        convocations.reschedule_session(session, room=new_room, acting_user=administrator, now=NOW)

    assert per_recipient() == Counter(r.candidate.convocation_email for r in confirmed)
    assert all("a changé" in m.subject for m in mail.outbox)
    for convocation in Convocation.objects.all():
        assert convocation.revision == 2 and convocation.status == ConvocationStatus.SENT
        assert convocation.file.name not in old_files
        _pages, text = pdf_text(convocation)
        assert "Salle A2" in text and "Salle S1" not in text
        (event,) = icalendar.Calendar.from_ical(convocation.ics).walk("VEVENT")
        assert event["sequence"] == 1 and "Salle A2" in str(event["location"])


def test_an_english_speaking_candidate_is_convened_and_told_of_the_move_in_english(
    year, room, administrator, django_capture_on_commit_callbacks
):
    """The convocation and its "changed" notice are the sessions_app/emails/convocation
    templates in the candidate's language, with the PDF and the .ics attached."""
    session = make_session(year, room, day=20, hour=14)
    user = make_user("emma.smith@example.org", preferred_language="en")
    register(session, make_candidate(user=user, email="emma.smith@example.org"))
    send_session_convocations.delay(session.pk).get()
    (first,) = mail.outbox
    assert first.subject == "[Centre Pix] Your Pix certification convocation"
    assert first.body.startswith("Hello ") and "Please arrive at 13:45." in first.body
    assert "Bonjour" not in first.body and "L’équipe" not in first.body
    assert [a[0] for a in first.attachments] == ["convocation-pix.pdf", "certification-pix.ics"]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        convocations.reschedule_session(
            session, start_time=dt.time(16, 0), acting_user=administrator, now=NOW
        )
    (changed,) = mail.outbox
    assert changed.subject == (
        "[Centre Pix] Your Pix certification session has changed: new convocation"
    )
    assert "Please arrive at 15:45." in changed.body and "Bonjour" not in changed.body
    assert [a[0] for a in changed.attachments] == [
        "convocation-pix.pdf",
        "certification-pix.ics",
    ]


def test_moving_a_session_not_yet_convened_only_tells_its_candidates(
    convened, administrator, django_capture_on_commit_callbacks
):
    session, confirmed = convened
    with django_capture_on_commit_callbacks(execute=True):
        convocations.reschedule_session(
            session, start_time=dt.time(16, 0), acting_user=administrator, now=NOW
        )
    assert len(mail.outbox) == 4 and not Convocation.objects.exists()
    assert "16:00" in mail.outbox[0].body


def test_a_move_onto_an_occupied_room_is_refused(convened, administrator, year, other_room):
    session, _ = convened
    make_session(year, other_room, day=20, hour=15)
    with pytest.raises(SessionError, match="déjà occupée"):
        convocations.reschedule_session(session, room=other_room, acting_user=administrator)
    session.refresh_from_db()
    assert session.room.name == "Salle S1"


def test_a_candidate_who_reads_english_gets_an_english_convocation(convened, student):
    session, _ = convened
    student.preferred_language = "en"
    student.save()
    from .conftest import complete_identity

    registration = register(session, complete_identity(student.candidate))
    convocation = convocations.generate_convocation(registration)
    assert convocation.language == "en"
    assert 'lang="en"' in convocations.render_html(registration, "en")


@pytest.mark.parametrize(
    ("percent", "minutes", "text"),
    [(None, 105, "1 h 45"), (33, 140, "2 h 20"), (25, 132, "2 h 12"), (1, 107, "1 h 47")],
)
def test_extra_time_lengthens_the_test_rounded_up_to_the_minute(percent, minutes, text):
    assert convocations.duration_minutes(percent) == minutes
    assert convocations.format_minutes(minutes) == text


def test_send_backoff_is_bounded():
    assert [convocations.send_backoff(n) for n in range(6)] == [60, 120, 240, 480, 900, 900]


def test_when_another_run_stored_the_convocation_meanwhile_ours_is_discarded(
    convened, monkeypatch, settings
):
    session, confirmed = convened
    registration = confirmed[0]
    Convocation.objects.create(registration=registration)

    def render_while_another_run_stores(registration, language=None):
        Convocation.objects.filter(registration=registration).update(
            file="convocations/other-run.pdf", status=ConvocationStatus.GENERATED
        )
        return b"%PDF-1.7 ours"

    monkeypatch.setattr(convocations.documents, "render_pdf", render_while_another_run_stores)
    convocation = convocations.generate_convocation(registration)
    assert convocation.file.name == "convocations/other-run.pdf"
    folder = settings.MEDIA_ROOT / "convocations" / str(session.pk)
    assert not folder.exists() or not any(folder.iterdir())  # our file was removed
