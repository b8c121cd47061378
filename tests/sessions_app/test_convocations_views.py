"""Convocation pages: the administrator's live progress and resend, the candidate's files."""

import json
from io import StringIO

import icalendar
import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from sessions_app.models import (
    Convocation,
    ConvocationStatus,
    Registration,
    RegistrationSource,
    RegistrationStatus,
)

from .conftest import NOW, complete_identity, make_candidate, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(year, room, student):
    session = make_session(year, room, day=22, hour=10)
    mine = Registration.objects.create(
        candidate=complete_identity(student.candidate),
        session=session,
        academic_year=year,
        status=RegistrationStatus.CONFIRMED,
        source=RegistrationSource.FIRST_COME,
        created_at=NOW,
    )
    other = Registration.objects.create(
        candidate=make_candidate(),
        session=session,
        academic_year=year,
        status=RegistrationStatus.CONFIRMED,
        source=RegistrationSource.FIRST_COME,
        created_at=NOW,
    )
    return session, mine, other


def test_only_administrators_reach_the_sending_pages(client, setup, student, referent):
    session, mine, _ = setup
    for user in (student, referent):
        client.force_login(user)
        assert client.get("/convocations/").status_code == 403
        assert client.get(f"/convocations/session/{session.pk}/").status_code == 403
        assert client.get(f"/convocations/session/{session.pk}/progression.json").status_code == 403
    client.logout()
    assert client.get(f"/convocations/session/{session.pk}/").status_code == 302


def test_administrator_sends_and_follows_progress_then_resends_one(
    client, setup, administrator, django_capture_on_commit_callbacks, time_machine
):
    session, mine, other = setup
    time_machine.move_to(NOW)  # the index lists sessions from a week ago onwards
    client.force_login(administrator)
    assert session.room.name in client.get("/convocations/").content.decode()
    url = f"/convocations/session/{session.pk}/"
    before = json.loads(client.get(url + "progression.json").content)
    assert before == {
        "generated": 0,
        "sent": 0,
        "failed": 0,
        "no_address": 0,
        "total": 2,
        "done": False,
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    after = json.loads(client.get(url + "progression.json").content)
    assert after == {
        "generated": 2,
        "sent": 2,
        "failed": 0,
        "no_address": 0,
        "total": 2,
        "done": True,
    }
    page = client.get(url).content.decode()
    assert "Actualiser" in page and "progression.json" in page and "Envoyée" in page
    assert len(mail.outbox) == 2

    convocation = Convocation.objects.get(registration=other)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/convocations/{convocation.pk}/renvoyer/")
    assert len(mail.outbox) == 3 and mail.outbox[-1].to == [other.candidate.convocation_email]
    assert Convocation.objects.get(pk=convocation.pk).status == ConvocationStatus.SENT


def test_candidate_downloads_their_own_convocation_and_not_another(
    client, setup, student, other_student
):
    session, mine, other = setup
    call_command("send_convocations", str(session.pk), stdout=StringIO())
    client.force_login(student)
    page = client.get("/convocations/moi/").content.decode()
    assert f"/convocations/inscription/{mine.pk}/convocation.pdf" in page
    pdf = client.get(f"/convocations/inscription/{mine.pk}/convocation.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    ics = client.get(f"/convocations/inscription/{mine.pk}/invitation.ics")
    assert icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
    assert client.get(f"/convocations/inscription/{other.pk}/convocation.pdf").status_code == 404
    client.force_login(other_student)
    assert client.get(f"/convocations/inscription/{mine.pk}/convocation.pdf").status_code == 404


def test_send_convocations_command_is_idempotent(setup):
    session, *_ = setup
    out = StringIO()
    call_command("send_convocations", str(session.pk), stdout=out)
    assert "2/2 generated, 2/2 sent, 0 failed" in out.getvalue()
    call_command("send_convocations", str(session.pk), stdout=StringIO())
    assert len(mail.outbox) == 2
    with pytest.raises(CommandError):
        call_command("send_convocations", "999999")


def test_the_sending_page_reads_a_fixed_number_of_queries(
    client, setup, administrator, django_assert_num_queries
):
    session, *_ = setup
    for _ in range(3):
        Registration.objects.create(
            candidate=make_candidate(), session=session, academic_year=session.academic_year,
            status=RegistrationStatus.CONFIRMED, source=RegistrationSource.FIRST_COME,
            created_at=NOW,
        )  # fmt: skip
    client.force_login(administrator)
    # session (auth) + user; the session row; confirmed count; progress aggregate;
    # registrations with candidates and convocations (one query whatever their number).
    with django_assert_num_queries(6):
        assert client.get(f"/convocations/session/{session.pk}/").status_code == 200


def test_a_cancelled_session_is_not_convened(setup):
    session, *_ = setup
    session.status = "cancelled"
    session.save()
    with pytest.raises(CommandError, match="not convened"):
        call_command("send_convocations", str(session.pk), stdout=StringIO())
    assert not Convocation.objects.exists() and mail.outbox == []
