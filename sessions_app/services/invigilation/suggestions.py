"""Who may take a session: available invigilators, fewest hours this academic year first."""

import dataclasses

from django.db.models import Exists, OuterRef, Q, Sum

from accounts.models import Role, User

from ...models import Assignment, InvigilatorPeriod, PeriodKind, Session
from .availability import busy_window, conflicting_session
from .common import INACTIVE_SESSION_STATUSES


def _invigilators():
    return User.objects.filter(role=Role.INVIGILATOR, is_active=True)


def minutes_this_year(user, academic_year) -> int:
    return (
        Assignment.objects.filter(invigilator=user, session__academic_year=academic_year)
        .exclude(session__status__in=INACTIVE_SESSION_STATUSES)
        .aggregate(m=Sum("minutes"))["m"]
        or 0
    )


@dataclasses.dataclass(frozen=True)
class Suggestion:
    invigilator: User
    minutes_this_year: int

    @property
    def hours_this_year(self) -> float:
        return round(self.minutes_this_year / 60, 2)


def suggest_invigilators(session: Session, *, limit: int | None = None) -> list[Suggestion]:
    """Invigilators who may take this session: declared available, not unavailable, free of
    overlapping sessions and not already on it; fewest hours this academic year first."""
    window = busy_window(session)
    year_filter = Q(assignments__session__academic_year_id=session.academic_year_id) & ~Q(
        assignments__session__status__in=INACTIVE_SESSION_STATUSES
    )
    people = (
        _invigilators()
        .exclude(assignments__session=session)
        .filter(
            invigilation_periods__kind=PeriodKind.AVAILABLE,
            invigilation_periods__starts_at__lte=window[0],
            invigilation_periods__ends_at__gte=window[1],
        )
        # One subquery, so that the three conditions hold for the same period (an exclude()
        # across a multi-valued relation may match them on different periods).
        .exclude(
            Exists(
                InvigilatorPeriod.objects.filter(
                    invigilator=OuterRef("pk"),
                    kind=PeriodKind.UNAVAILABLE,
                    starts_at__lt=window[1],
                    ends_at__gt=window[0],
                )
            )
        )
        .distinct()
    )
    minutes = dict(
        _invigilators()
        .filter(pk__in=[p.pk for p in people])
        .annotate(m=Sum("assignments__minutes", filter=year_filter))
        .values_list("pk", "m")
    )
    suggestions = [
        Suggestion(person, minutes.get(person.pk) or 0)
        for person in people
        if conflicting_session(person, session, window) is None
    ]
    suggestions.sort(
        key=lambda s: (s.minutes_this_year, s.invigilator.last_name, s.invigilator.email)
    )
    return suggestions[:limit] if limit else suggestions
