"""The administrator's home: convocations not sent and why, candidates without email,
identities Pix would refuse, unpaid fees, understaffed sessions, full sessions with a waitlist
next to free seats (and the move of the waitlist there), in a fixed number of queries."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from candidates.models import AcademicYear, Candidate, CandidateKind
from sessions_app.models import Convocation, Registration, Room, Session
from tests.billing.conftest import make_registration
from tests.sessions_app.conftest import complete_identity, make_candidate

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(db):
    today = timezone.localdate()
    year = AcademicYear.objects.create(
        label="courante", start_date=today - dt.timedelta(days=60),
        end_date=today + dt.timedelta(days=300),
    )  # fmt: skip
    room = Room.objects.create(site="Centre-ville", name="S1", capacity=30)

    def session(days, capacity=2, audience="students", hour=9):
        return Session.objects.create(
            academic_year=year, date=today + dt.timedelta(days=days), start_time=dt.time(hour),
            room=room, capacity=capacity, audience=audience, status="open",
        )  # fmt: skip

    full, free, other = session(10), session(12, capacity=5), session(14, audience="external")
    return {"year": year, "full": full, "free": free, "external": other}


def _fill(centre, waiting=2):
    full = centre["full"]
    seated = [make_registration(full, make_candidate(), source="override") for _ in range(2)]
    queue = [
        make_registration(full, make_candidate(), status="waitlisted", source="first_come")
        for _ in range(waiting)
    ]
    for i, r in enumerate(queue, start=1):
        r.waitlist_order = i
        r.save(update_fields=["waitlist_order"])
    return seated, queue


def _home(client):
    return client.get(reverse("home")).context["overview"]


def test_home_counts_what_needs_doing(client, administrator, centre):
    seated, _queue = _fill(centre)
    Convocation.objects.create(registration=seated[0], status="failed")
    nomail = complete_identity(Candidate.objects.create(birth_name="SANS", first_name="Mail"))
    make_registration(centre["free"], nomail, source="override")
    pix_refuses = Candidate.objects.create(birth_name="INCOMPLET", first_name="Ident",
                                           convocation_email="x@example.org")  # fmt: skip
    make_registration(centre["free"], pix_refuses, source="override")
    Candidate.objects.create(birth_name="IMPORTE", first_name="Jamais", external_id="219")
    make_registration(centre["external"], make_candidate(CandidateKind.EXTERNAL))  # fee due
    client.force_login(administrator)
    response = client.get(reverse("home"))
    overview = response.context["overview"]
    assert overview.not_sent == {"no_email": 1, "not_generated": 3, "waiting": 0, "failed": 1}
    assert [r.candidate for r in overview.without_email_seated] == [nomail]
    assert overview.candidates_without_email == 2  # SANS Mail, IMPORTE Jamais
    assert [r.candidate for r, _p in overview.refused_identities] == [pix_refuses]
    assert response.context["unpaid_fees"] == 1
    [item] = overview.rebalance
    assert item.full == centre["full"] and item.free == [centre["free"]]
    html = response.content.decode()
    move = reverse("sessions_app:waitlist_move", args=[centre["full"].pk])
    assert f"{move}?vers={centre['free'].pk}" in html
    assert 'data-testid="understaffed-sessions"' in html


def test_home_keeps_a_constant_number_of_queries(
    client, administrator, centre, django_assert_max_num_queries
):
    client.force_login(administrator)
    client.get(reverse("home"))
    _fill(centre, waiting=1)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("home"))
    _fill({**centre, "full": centre["free"]}, waiting=3)
    for _ in range(20):
        make_registration(centre["external"], make_candidate(CandidateKind.EXTERNAL))
    # session, user, seats, without email, coming sessions, understaffed (sessions, staffing,
    # assignments…), unpaid fees: the same count with 25 more seats
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("home"))


def test_waitlist_moves_to_free_seats_after_confirmation(
    client, administrator, centre, django_capture_on_commit_callbacks
):
    _seated, queue = _fill(centre)
    client.force_login(administrator)
    url = reverse("sessions_app:waitlist_move", args=[centre["full"].pk])
    response = client.get(url, {"vers": centre["free"].pk})
    assert [r.pk for r in response.context["moving"]] == [r.pk for r in queue]
    assert Registration.objects.filter(session=centre["free"]).count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"vers": centre["free"].pk, "confirmed": "1"})
    assert response.status_code == 302
    moved = Registration.objects.filter(session=centre["free"], status="confirmed")
    assert {r.candidate_id for r in moved} == {r.candidate_id for r in queue}
    assert not Registration.objects.filter(session=centre["full"], status="waitlisted").exists()
    assert len(mail.outbox) >= 2
    assert _home(client).rebalance == []


def test_waitlist_move_skips_who_the_target_does_not_accept(client, administrator, centre):
    _fill(centre)
    client.force_login(administrator)
    url = reverse("sessions_app:waitlist_move", args=[centre["full"].pk])
    response = client.get(url, {"vers": centre["external"].pk})  # externals only
    assert response.context["moving"] == []


@pytest.mark.parametrize("persona", ["referent", "invigilator", "student"])
def test_only_administrators_move_a_waitlist(client, request, persona, centre):
    _fill(centre)
    client.force_login(request.getfixturevalue(persona))
    url = reverse("sessions_app:waitlist_move", args=[centre["full"].pk])
    assert client.post(url, {"vers": centre["free"].pk, "confirmed": "1"}).status_code == 403
    assert not Registration.objects.filter(session=centre["free"]).exists()
