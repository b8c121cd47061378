"""Clashes: an unavailability declared over an existing assignment."""

import dataclasses
import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User

from ...models import PARIS, Assignment, InvigilatorPeriod, PeriodKind, Session, SessionStatus
from .availability import _overlap, busy_window
from .common import INACTIVE_SESSION_STATUSES
from .staffing import session_staffing, with_staffing

# --- clashes: an unavailability declared over an assignment -----------------------------------


@dataclasses.dataclass(frozen=True)
class Clash:
    """An invigilator assigned to a session declared an unavailability that overlaps it
    (declared after the assignment: an assignment during an unavailability is refused)."""

    assignment: Assignment
    period: InvigilatorPeriod

    @property
    def session(self) -> Session:
        return self.assignment.session

    @property
    def invigilator(self) -> User:
        return self.assignment.invigilator


def assignment_clashes(
    *, today: dt.date | None = None, session: Session | None = None, invigilator=None
) -> list[Clash]:
    """Coming assignments (from ``today``, sessions neither cancelled nor finalised) that an
    unavailability of their invigilator overlaps, with the 40-minute extension counted when a
    candidate has extra time. Three queries whatever the numbers: the assignments, the
    unavailabilities, the sessions' staffing."""
    today = today or timezone.localdate()
    since = dt.datetime.combine(today, dt.time(0), tzinfo=PARIS)
    ahead = InvigilatorPeriod.objects.filter(kind=PeriodKind.UNAVAILABLE, ends_at__gt=since)
    assignments = (
        Assignment.objects.filter(session__date__gte=today)
        .exclude(session__status__in=[*INACTIVE_SESSION_STATUSES, SessionStatus.FINALISED])
        .filter(Exists(ahead.filter(invigilator=OuterRef("invigilator"))))
        .select_related("session__room", "invigilator")
        .order_by("session__date", "session__start_time", "invigilator__last_name", "pk")
    )
    if session is not None:
        assignments = assignments.filter(session_id=session.pk)
    if invigilator is not None:
        assignments = assignments.filter(invigilator_id=invigilator.pk)
    assignments = list(assignments)
    if not assignments:
        return []
    periods = list(
        ahead.filter(invigilator_id__in={a.invigilator_id for a in assignments}).order_by(
            "starts_at", "pk"
        )
    )
    minutes = {
        s.pk: session_staffing(s).minutes
        for s in with_staffing(Session.objects.filter(pk__in={a.session_id for a in assignments}))
    }
    clashes = []
    for assignment in assignments:
        window = busy_window(assignment.session, minutes[assignment.session_id])
        clashes.extend(
            Clash(assignment, period)
            for period in periods
            if period.invigilator_id == assignment.invigilator_id
            and _overlap(window, (period.starts_at, period.ends_at))
        )
    return clashes


def clashes_of_period(period: InvigilatorPeriod) -> list[Clash]:
    """The assignments one unavailability overlaps (told to the invigilator who declares it)."""
    if period.kind != PeriodKind.UNAVAILABLE:
        return []
    return [
        clash
        for clash in assignment_clashes(
            today=timezone.localdate(period.starts_at), invigilator=period.invigilator
        )
        if clash.period.pk == period.pk
    ]
