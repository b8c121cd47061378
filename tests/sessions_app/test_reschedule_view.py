"""The administrator's page that moves a session (date, time, room)."""

import datetime as dt

import pytest
from django.core import mail

from accounts.models import AuditEntry
from sessions_app.models import Registration, RegistrationSource, RegistrationStatus

from .conftest import NOW, make_candidate, make_session

pytestmark = pytest.mark.django_db


def url(session):
    return f"/sessions/{session.pk}/deplacer/"


def test_administrator_moves_a_session_to_another_room_and_candidates_are_told(
    client, administrator, year, room, other_room, django_capture_on_commit_callbacks
):
    session = make_session(year, room, day=20)
    candidate = make_candidate()
    Registration.objects.create(
        candidate=candidate, session=session, academic_year=year,
        status=RegistrationStatus.CONFIRMED, source=RegistrationSource.FIRST_COME,
        created_at=NOW, confirmed_at=NOW,
    )  # fmt: skip
    client.force_login(administrator)
    assert client.get(url(session)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(session), {"date": "2025-10-20", "start_time": "09:00", "room": other_room.pk}
        )

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.room == other_room
    assert len(mail.outbox) == 1  # the confirmed candidate hears of the move
    assert (
        AuditEntry.objects.filter(session_id=session.pk, action="session_rescheduled").count() == 1
    )  # one row, with before and after


def test_a_move_onto_an_occupied_room_is_refused_and_keeps_what_was_typed(
    client, administrator, year, room, other_room
):
    session = make_session(year, room, day=20, hour=9)
    make_session(year, other_room, day=21, hour=9)
    client.force_login(administrator)

    response = client.post(
        url(session), {"date": "2025-10-21", "start_time": "09:30", "room": other_room.pk}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'value="09:30"' in response.content.decode()
    session.refresh_from_db()
    assert (session.date, session.room) == (dt.date(2025, 10, 20), room)


@pytest.mark.parametrize("persona", ["student", "invigilator", "referent"])
def test_only_administrators_move_sessions(client, request, persona, year, room):
    session = make_session(year, room)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(session)).status_code == 403
