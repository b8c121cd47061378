"""How many invigilators a session needs and for how long (``sessions_app.staffing``'s rules
read from the confirmed registrations), and the coming sessions that lack some."""

import dataclasses
import datetime as dt

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from ... import staffing
from ...models import Assignment, Registration, RegistrationStatus, Session, SessionStatus
from ...models.registrations import test_minutes_expression
from .common import INACTIVE_SESSION_STATUSES

# --- staffing ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Staffing:
    confirmed: int
    any_extra_time: bool
    needed: int
    minutes: int
    assigned: int = 0
    test_minutes: int = staffing.CORE_TEST_MINUTES  # the longest test of the candidates
    extension_minutes: int = 0  # what extra time adds to ``minutes``

    @property
    def test_text(self) -> str:
        return staffing.format_minutes(self.test_minutes)

    @property
    def missing(self) -> int:
        return max(self.needed - self.assigned, 0)

    @property
    def is_understaffed(self) -> bool:
        return self.assigned < self.needed


def _staffing_from(
    confirmed: int,
    any_extra_time: bool,
    assigned: int = 0,
    longest_test: int | None = None,
    longest_extra_time_test: int | None = None,
) -> Staffing:
    """``longest_test``: the longest test of the confirmed candidates (None: nobody, planned
    as core Pix); ``longest_extra_time_test``: the same among those with extra time."""
    base = settings.PIX_INVIGILATION_MINUTES
    extension = settings.PIX_EXTRA_TIME_EXTENSION_MINUTES
    if not any_extra_time:
        longest_extra_time_test = None
    elif longest_extra_time_test is None:  # annotated without the lengths: core Pix
        longest_extra_time_test = longest_test or staffing.CORE_TEST_MINUTES
    minutes = staffing.session_invigilation_minutes(
        longest_test, longest_extra_time_test, base, extension
    )
    plain = staffing.session_invigilation_minutes(longest_test, None, base, extension)
    return Staffing(
        confirmed=confirmed,
        any_extra_time=any_extra_time,
        needed=staffing.invigilators_needed(confirmed, settings.PIX_CANDIDATES_PER_INVIGILATOR),
        minutes=minutes,
        assigned=assigned,
        test_minutes=max(longest_test or staffing.CORE_TEST_MINUTES, longest_extra_time_test or 0),
        extension_minutes=minutes - plain,
    )


def _confirmed_q(prefix="registrations__"):
    return Q(**{f"{prefix}status": RegistrationStatus.CONFIRMED})


def _extra_time_exists():
    return Exists(
        Registration.objects.filter(
            session=OuterRef("pk"),
            status=RegistrationStatus.CONFIRMED,
            candidate__extra_time_percent__gt=0,
        )
    )


def with_staffing(queryset=None):
    """Sessions annotated with what staffing needs, in one query (list pages)."""
    queryset = queryset if queryset is not None else Session.objects.all()
    test = test_minutes_expression("registrations__complementary")
    extra = Q(registrations__candidate__extra_time_percent__gt=0)
    return queryset.select_related("room", "academic_year").annotate(
        n_confirmed=Count("registrations", filter=_confirmed_q(), distinct=True),
        n_assigned=Count("assignments", distinct=True),
        any_extra_time=_extra_time_exists(),
        longest_test=Max(test, filter=_confirmed_q()),
        longest_extra_time_test=Max(test, filter=_confirmed_q() & extra),
    )


def session_staffing(session: Session) -> Staffing:
    """Invigilators needed and their minutes, from the session's confirmed registrations."""
    if hasattr(session, "n_assigned") and hasattr(session, "any_extra_time"):
        return _staffing_from(
            session.n_confirmed,
            session.any_extra_time,
            session.n_assigned,
            getattr(session, "longest_test", None),
            getattr(session, "longest_extra_time_test", None),
        )
    test = test_minutes_expression()
    extra = Q(candidate__extra_time_percent__gt=0)
    seats = Registration.objects.filter(
        session_id=session.pk, status=RegistrationStatus.CONFIRMED
    ).aggregate(
        n=Count("pk"),
        n_extra=Count("pk", filter=extra),
        longest=Max(test),
        longest_extra=Max(test, filter=extra),
    )
    return _staffing_from(
        seats["n"],
        seats["n_extra"] > 0,
        Assignment.objects.filter(session_id=session.pk).count(),
        seats["longest"],
        seats["longest_extra"],
    )


def understaffed_sessions(*, today: dt.date | None = None) -> list[Session]:
    """Coming sessions (today on) with fewer invigilators assigned than they need."""
    today = today or timezone.localdate()
    sessions = with_staffing(
        Session.objects.filter(date__gte=today).exclude(
            status__in=[*INACTIVE_SESSION_STATUSES, SessionStatus.FINALISED]
        )
    )
    result = []
    for session in sessions:
        session.staffing = session_staffing(session)
        if session.staffing.is_understaffed:
            result.append(session)
    return result
