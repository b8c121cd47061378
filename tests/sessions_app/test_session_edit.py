"""Editing a session (seats, audience, complementary) and a room, without taking anything
from a registered candidate."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEntry
from candidates.models import CandidateKind
from sessions_app import services
from sessions_app.models import Audience, Registration, RegistrationStatus, SessionStatus
from sessions_app.services import SessionError

from .conftest import NOW, make_candidate, make_session

pytestmark = pytest.mark.django_db


def register(session, n, administrator, kind=CandidateKind.STUDENT, **kwargs):
    return [
        services.register_first_come(session, c, acting_user=administrator, now=NOW, **kwargs)
        for c in (make_candidate(kind) for _ in range(n))
    ]


def edit(session, administrator, **changes):
    values = {
        "capacity": session.capacity,
        "audience": session.audience,
        "complementary": session.complementary,
        **changes,
    }
    return services.update_session(session, acting_user=administrator, now=NOW, **values)


def test_more_seats_go_to_the_waitlist_first_and_are_audited(
    year, room, administrator, django_capture_on_commit_callbacks
):
    session = make_session(year, room, capacity=2)
    register(session, 4, administrator)
    assert session.registrations.filter(status=RegistrationStatus.WAITLISTED).count() == 2
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        edit(session, administrator, capacity=3)
    assert session.registrations.filter(status=RegistrationStatus.CONFIRMED).count() == 3
    assert len(mail.outbox) == 1  # the promoted candidate is told
    entry = AuditEntry.objects.get(action="session_updated")
    assert (entry.before["capacity"], entry.after["capacity"]) == (2, 3)


def test_seats_never_go_below_the_confirmed_candidates_nor_above_the_room(
    year, room, administrator
):
    session = make_session(year, room, capacity=5)
    register(session, 3, administrator)
    with pytest.raises(SessionError, match="3 candidats ont déjà une place"):
        edit(session, administrator, capacity=2)
    with pytest.raises(SessionError, match="n’a que 24 places"):
        edit(session, administrator, capacity=25)
    session.refresh_from_db()
    assert session.capacity == 5
    assert not AuditEntry.objects.filter(action="session_updated").exists()


def test_the_audience_cannot_exclude_a_registered_candidate(year, room, administrator):
    session = make_session(year, room, audience=Audience.MIXED)
    register(session, 1, administrator, kind=CandidateKind.EXTERNAL)
    with pytest.raises(SessionError, match="Ce public exclurait 1 candidats"):
        edit(session, administrator, audience=Audience.STUDENTS)
    session.refresh_from_db()
    assert session.audience == Audience.MIXED


def test_a_complementary_certification_chosen_by_a_candidate_stays(year, room, administrator):
    session = make_session(year, room, complementary=["clea", "droit"])
    register(session, 1, administrator, complementary="clea")
    with pytest.raises(SessionError, match="certification complémentaire que vous retirez"):
        edit(session, administrator, complementary=["droit"])
    edit(session, administrator, complementary=["clea"])  # the unchosen one may go
    session.refresh_from_db()
    assert session.complementary == ["clea"]


def test_a_finalised_session_does_not_change(year, room, administrator):
    session = make_session(year, room, status=SessionStatus.FINALISED)
    with pytest.raises(SessionError, match="ne se modifie plus"):
        edit(session, administrator, capacity=10)


def test_the_page_keeps_what_was_typed_on_a_refusal(client, year, room, administrator):
    session = make_session(year, room, capacity=5)
    register(session, 3, administrator)
    client.force_login(administrator)
    url = reverse("sessions_app:session_edit", args=[session.pk])
    response = client.post(url, {"capacity": 2, "audience": "mixed", "complementary": ["clea"]})
    body = response.content.decode()
    assert response.status_code == 200
    assert "3 candidats ont déjà une place" in body
    assert 'value="2"' in body and 'value="mixed" selected' in body
    response = client.post(url, {"capacity": 8, "audience": "students"})
    assert response.url == reverse("sessions_app:session", args=[session.pk])
    session.refresh_from_db()
    assert session.capacity == 8


def test_a_room_keeps_enough_seats_for_its_coming_sessions(client, year, room, administrator):
    make_session(year, room, capacity=20)
    client.force_login(administrator)
    url = reverse("sessions_app:room_edit", args=[room.pk])
    fields = {"site": room.site, "name": room.name, "address": "74 rue Louis Pasteur"}
    response = client.post(url, {**fields, "capacity": 18})
    assert "compte 20 places dans cette salle" in response.content.decode()
    room.refresh_from_db()
    assert room.capacity == 24 and room.address == ""
    response = client.post(url, {**fields, "capacity": 30, "accessible": "on"})
    assert response.url == reverse("sessions_app:rooms")
    room.refresh_from_db()
    assert (room.capacity, room.address, room.accessible) == (30, "74 rue Louis Pasteur", True)
    entry = AuditEntry.objects.get(action="room_updated")
    assert entry.before["capacity"] == 24 and entry.after["capacity"] == 30


def test_registrations_are_untouched_by_a_refused_edit(year, room, administrator):
    session = make_session(year, room, capacity=3)
    before = list(Registration.objects.values_list("pk", "status"))
    with pytest.raises(SessionError):
        edit(session, administrator, capacity=99)
    assert list(Registration.objects.values_list("pk", "status")) == before
