"""Seat counting under row locks.

Every path that may confirm a seat locks the academic year row (the yearly student quota) and
then the session rows in id order, recounts inside the lock, then writes. The order of locks is
always campaign → year → sessions, so two workflows never wait on each other in a circle. The
callers reach these functions through the module (``locking.locked(...)``), so that a test can
switch the locks off and show that its race would be caught.
"""

from collections.abc import Iterable

from django.db.models import Max

from candidates.models import AcademicYear, Candidate, CandidateKind

from ..models import (
    SEAT_STATUSES,
    Registration,
    RegistrationStatus,
    Session,
)

# --- locking ----------------------------------------------------------------------------------


def locked(queryset):
    """Rows read here are locked until the transaction ends (the concurrency test's guard)."""
    return queryset.select_for_update()


def lock_year_and_sessions(year_id: int, session_ids: Iterable[int]):
    """Lock the year row, then the sessions in id order; return them fresh from the database."""
    year = locked(AcademicYear.objects.filter(pk=year_id)).get()
    sessions = list(locked(Session.objects.filter(pk__in=set(session_ids)).order_by("pk")))
    return year, {s.pk: s for s in sessions}


def confirmed_count(session_id: int) -> int:
    return Registration.objects.filter(
        session_id=session_id, status=RegistrationStatus.CONFIRMED
    ).count()


def quota_used(year: AcademicYear) -> int:
    """Student seats used this year (a no-show used their seat)."""
    return Registration.objects.filter(
        academic_year=year, status__in=SEAT_STATUSES, candidate__kind=CandidateKind.STUDENT
    ).count()


def next_waitlist_order(session_id: int) -> int:
    current = Registration.objects.filter(session_id=session_id).aggregate(m=Max("waitlist_order"))[
        "m"
    ]
    return (current or 0) + 1


def has_free_seat(session: Session, candidate: Candidate, year: AcademicYear) -> bool:
    """Recount inside the lock: capacity of the session and, for students, the yearly quota."""
    if confirmed_count(session.pk) >= session.capacity:
        return False
    return not (candidate.kind == CandidateKind.STUDENT and quota_used(year) >= year.student_quota)
