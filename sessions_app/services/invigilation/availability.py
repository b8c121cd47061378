"""When an invigilator is busy or free: the busy window of a session, overlapping
assignments, declared availability and unavailability periods."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.audit_actions import AuditAction

from ...models import InvigilatorPeriod, PeriodKind, Session
from .common import INACTIVE_SESSION_STATUSES, InvigilationError, _now
from .staffing import session_staffing

# --- windows, availability and conflicts ------------------------------------------------------


def busy_window(session: Session, minutes: int | None = None) -> tuple[dt.datetime, dt.datetime]:
    """When an invigilator of this session is busy: from its start for the staffing minutes."""
    if minutes is None:
        minutes = session_staffing(session).minutes
    return session.starts_at, session.starts_at + dt.timedelta(minutes=minutes)


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def conflicting_session(user, session: Session, window=None) -> Session | None:
    """Another session this invigilator is assigned to whose busy window overlaps (the
    40-minute extension included when one of its candidates has extra time)."""
    window = window or busy_window(session)
    others = (
        Session.objects.filter(
            assignments__invigilator=user, date__gte=window[0].date() - dt.timedelta(days=1)
        )
        .filter(date__lte=window[1].date())
        .exclude(pk=session.pk)
        .exclude(status__in=INACTIVE_SESSION_STATUSES)
        .select_related("room")
    )
    for other in others:
        if _overlap(window, busy_window(other)):
            return other
    return None


def unavailability(user, window) -> InvigilatorPeriod | None:
    return (
        InvigilatorPeriod.objects.filter(
            invigilator=user,
            kind=PeriodKind.UNAVAILABLE,
            starts_at__lt=window[1],
            ends_at__gt=window[0],
        )
        .order_by("starts_at")
        .first()
    )


def is_available(user, window) -> bool:
    """Declared available for the whole window, and not unavailable during it."""
    covered = InvigilatorPeriod.objects.filter(
        invigilator=user,
        kind=PeriodKind.AVAILABLE,
        starts_at__lte=window[0],
        ends_at__gte=window[1],
    ).exists()
    return covered and unavailability(user, window) is None


@transaction.atomic(durable=True)
def declare_period(
    *,
    acting_user,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    note: str = "",
    now=None,
) -> InvigilatorPeriod:
    """An invigilator declares a period of availability (or unavailability)."""
    if not (acting_user and acting_user.is_authenticated and acting_user.is_invigilator):
        raise InvigilationError(_("Seul un surveillant déclare ses disponibilités."))
    if ends_at <= starts_at:
        raise InvigilationError(_("La fin doit être après le début."))
    now = _now(now)
    period = InvigilatorPeriod.objects.create(
        invigilator=acting_user, kind=kind, starts_at=starts_at, ends_at=ends_at, note=note
    )
    record(
        AuditAction.INVIGILATOR_PERIOD_DECLARED,
        actor=acting_user,
        obj=period,
        after={"kind": kind, "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()},
        summary=str(period),
        now=now,
    )
    return period


@transaction.atomic(durable=True)
def delete_period(period: InvigilatorPeriod, *, acting_user, now=None) -> None:
    if period.invigilator_id != getattr(acting_user, "pk", None):
        raise InvigilationError(_("Vous ne pouvez retirer que vos propres disponibilités."))
    record(
        AuditAction.INVIGILATOR_PERIOD_DELETED,
        actor=acting_user,
        obj=period,
        before={"kind": period.kind, "starts_at": period.starts_at.isoformat()},
        summary=str(period),
        now=_now(now),
    )
    period.delete()
