import datetime as dt

import pytest


@pytest.fixture
def year(db):
    from candidates.models import AcademicYear

    year, _ = AcademicYear.objects.get_or_create(
        label="2025-2026",
        defaults={"start_date": dt.date(2025, 9, 1), "end_date": dt.date(2026, 8, 31)},
    )
    return year


@pytest.fixture
def during_the_year(time_machine):
    """Inside 2025-2026, whose cost parameters may still change (once a year has ended they
    are locked: test_parameter_lock.py)."""
    from zoneinfo import ZoneInfo

    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Paris")))


@pytest.fixture
def next_year(db):
    from candidates.models import AcademicYear

    year, _ = AcademicYear.objects.get_or_create(
        label="2026-2027",
        defaults={"start_date": dt.date(2026, 9, 1), "end_date": dt.date(2027, 8, 31)},
    )
    return year


@pytest.fixture
def room(db):
    from sessions_app.models import Room

    return Room.objects.get_or_create(
        site="Centre-ville", name="Salle S1", defaults={"capacity": 60}
    )[0]


def make_session(year, room, *, date=None, hour=9, capacity=20, audience="external", status="open"):
    from sessions_app.models import Session

    return Session.objects.create(
        academic_year=year,
        date=date or dt.date(2025, 10, 15),
        start_time=dt.time(hour, 0),
        room=room,
        capacity=capacity,
        audience=audience,
        status=status,
    )


def make_registration(session, candidate, *, status="confirmed", source="booking", created_at=None):
    """A registration written directly (the sessions services are tested by their owners);
    ``post_save`` runs as it does for a booking."""
    from django.utils import timezone

    from sessions_app.models import Registration

    created_at = created_at or timezone.now()
    return Registration.objects.create(
        candidate=candidate,
        session=session,
        academic_year=session.academic_year,
        status=status,
        source=source,
        waitlist_order=1 if status == "waitlisted" else None,
        created_at=created_at,
        confirmed_at=created_at if status == "confirmed" else None,
    )


def make_external(n=None, user=None):
    from candidates.models import CandidateKind
    from tests.sessions_app.conftest import make_candidate

    return make_candidate(CandidateKind.EXTERNAL, user=user)
