"""Seats are never oversold, even when 200 requests arrive at once (PostgreSQL only).

SQLite serialises every writer, so it cannot show the race: these tests need PostgreSQL, where
each thread has its own connection and the row locks of ``services.locking.locked`` are what keep
the count right. The control run removes the locks and must see an oversell, which proves that the
test can catch the race it guards against.
"""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from candidates.models import AcademicYear, CandidateKind
from sessions_app import services
from sessions_app.models import Registration, RegistrationStatus, Session
from sessions_app.services import locking

from .conftest import NOW, make_candidate, make_session

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (DATABASE_URL=postgres://…): SQLite serialises writers",
    ),
]

APPLICANTS = 200
SEATS = 20
MAX_THREADS = 80  # PostgreSQL allows 100 connections by default; leave some for others


def thread_count() -> int:
    """As many threads as the server's free connections allow, at most 80."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM pg_stat_activity")
        used = int(cursor.fetchone()[0])
    return max(10, min(MAX_THREADS, limit - used - 10))


def widen_the_window(monkeypatch):
    """Between the recount and the write, yield for a moment (both runs), as a busy server
    would: the guarded run must still be exact, the control run then reliably oversells."""
    original = locking.has_free_seat

    def slow_has_free_seat(*args, **kwargs):
        free = original(*args, **kwargs)
        threading.Event().wait(0.005)
        return free

    monkeypatch.setattr(locking, "has_free_seat", slow_has_free_seat)


def run_at_once(session, candidates, call) -> list:
    """Every candidate asks for a seat in ``session``, from ``thread_count()`` threads."""
    n_threads = min(thread_count(), len(candidates))
    start = threading.Barrier(n_threads)
    errors = []
    chunks = [candidates[i::n_threads] for i in range(n_threads)]

    def worker(chunk):
        try:
            start.wait()
            for candidate in chunk:
                call(session, candidate)
        except Exception as exc:  # collected and reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.fixture
def crowd(db):
    year = AcademicYear.objects.create(
        label="2025-2026", start_date=dt.date(2025, 9, 1), end_date=dt.date(2026, 8, 31)
    )
    from sessions_app.models import Room

    room = Room.objects.create(site="Centre-ville", name="Amphi", capacity=SEATS)
    session = make_session(year, room, capacity=SEATS)
    students = [make_candidate(CandidateKind.STUDENT) for _ in range(APPLICANTS)]
    return session, students


@pytest.fixture
def register(administrator):
    """A desk of administrators registering people (saves 200 accounts; same code path)."""

    def call(session, candidate):
        services.register_first_come(
            Session(pk=session.pk, academic_year_id=session.academic_year_id),
            candidate,
            acting_user=administrator,
            now=NOW,
        )

    return call


def test_200_simultaneous_requests_fill_20_seats_exactly(crowd, monkeypatch, register):
    session, students = crowd
    widen_the_window(monkeypatch)
    errors = run_at_once(session, students, register)
    assert errors == []
    statuses = list(Registration.objects.filter(session=session).values_list("status", flat=True))
    assert statuses.count(RegistrationStatus.CONFIRMED) == SEATS
    assert statuses.count(RegistrationStatus.WAITLISTED) == APPLICANTS - SEATS
    assert Registration.objects.values("candidate").distinct().count() == APPLICANTS
    orders = list(
        Registration.objects.filter(status=RegistrationStatus.WAITLISTED).values_list(
            "waitlist_order", flat=True
        )
    )
    assert len(set(orders)) == len(orders), "two people share a waitlist place"


def test_a_double_click_from_many_threads_registers_once(crowd, register):
    session, students = crowd
    one = students[0]
    errors = run_at_once(session, [one] * 40, register)
    assert errors == []
    assert Registration.objects.filter(candidate=one).count() == 1


def test_control_without_the_lock_the_same_crowd_oversells(crowd, monkeypatch, register):
    session, students = crowd
    widen_the_window(monkeypatch)
    monkeypatch.setattr(locking, "locked", lambda queryset: queryset)
    errors = run_at_once(session, students, register)
    assert errors == []
    confirmed = Registration.objects.filter(
        session=session, status=RegistrationStatus.CONFIRMED
    ).count()
    assert confirmed > SEATS, "without row locks the race must show (else this test is blind)"


def test_a_double_clicked_application_from_many_threads_is_one_with_its_wishes(
    crowd, administrator
):
    """The apply service inserts the application unless it exists (ON CONFLICT DO NOTHING),
    then locks it: 40 simultaneous identical requests leave one application, its wishes once."""
    from sessions_app.models import Application, Campaign, Wish

    session, students = crowd
    one = students[0]
    Session.objects.filter(pk=session.pk).update(status="open")
    campaign = Campaign.objects.create(
        academic_year=session.academic_year,
        name="Printemps",
        opens_at=NOW - dt.timedelta(days=1),
        closes_at=NOW + dt.timedelta(days=1),
    )
    campaign.sessions.set([session])

    def apply(session, candidate):
        services.apply_for_campaign(
            Campaign(pk=campaign.pk), candidate, [session.pk], acting_user=administrator, now=NOW
        )

    errors = run_at_once(session, [one] * 40, apply)
    assert errors == []
    application = Application.objects.get(candidate=one)
    assert list(Wish.objects.filter(application=application).values_list("session_id")) == [
        (session.pk,)
    ]
