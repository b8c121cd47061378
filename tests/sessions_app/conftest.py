"""Fixtures of the sessions tests: a year, rooms, sessions and eligible candidates."""

import datetime as dt
import itertools

import pytest

from candidates.models import AcademicYear, Candidate, CandidateKind
from sessions_app.models import PARIS, Audience, Room, Session, SessionStatus

# Tests run "now" = 1 October 2025, in the year 2025-2026.
NOW = dt.datetime(2025, 10, 1, 9, 0, tzinfo=PARIS)
_serial = itertools.count(1)


def complete_identity(candidate, *, certifiable=True, tier=3):
    candidate.sex = "F"
    candidate.birth_date = dt.date(2003, 5, 17)
    candidate.birth_country = "France"
    candidate.birth_insee_code = "84007"
    candidate.is_certifiable = certifiable
    candidate.priority_tier = tier
    candidate.save()
    return candidate


def make_candidate(kind=CandidateKind.STUDENT, *, tier=3, certifiable=True, user=None, email=None):
    n = next(_serial)
    candidate = Candidate.objects.create(
        kind=kind,
        birth_name=f"NOM{n}",
        first_name=f"Prénom{n}",
        external_id=f"E{n:07d}" if kind == CandidateKind.STUDENT else "",
        convocation_email=email or f"candidat{n}@example.org",
        user=user,
    )
    return complete_identity(candidate, certifiable=certifiable, tier=tier)


@pytest.fixture
def year(db):
    return AcademicYear.objects.create(
        label="2025-2026",
        start_date=dt.date(2025, 9, 1),
        end_date=dt.date(2026, 8, 31),
        student_quota=400,
    )


@pytest.fixture
def room(db):
    return Room.objects.create(site="Centre-ville", name="Salle S1", capacity=24)


@pytest.fixture
def other_room(db):
    return Room.objects.create(site="Agroparc", name="Salle A2", capacity=30)


def make_session(
    year,
    room,
    *,
    day=15,
    hour=9,
    capacity=20,
    audience=Audience.STUDENTS,
    status=SessionStatus.OPEN,
    complementary=(),
):
    return Session.objects.create(
        academic_year=year,
        date=dt.date(2025, 10, day),
        start_time=dt.time(hour, 0),
        room=room,
        capacity=capacity,
        audience=audience,
        status=status,
        complementary=list(complementary),
    )


@pytest.fixture
def session(year, room):
    return make_session(year, room)


@pytest.fixture
def eligible_student(student):
    complete_identity(student.candidate)
    return student


@pytest.fixture
def eligible_external(external):
    complete_identity(external.candidate)
    return external
