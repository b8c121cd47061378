"""Assigning invigilators to sessions, and reading an invigilator's schedule."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.audit_actions import AuditAction
from accounts.emails import emails_are_suppressed
from accounts.models import User
from outbox.dispatch import enqueue

from ...models import Assignment, AssignmentCancellation, Session, SessionStatus
from .availability import busy_window, conflicting_session, unavailability
from .common import INACTIVE_SESSION_STATUSES, InvigilationError, _now, _require_administrator
from .staffing import session_staffing


@transaction.atomic(durable=True)
def assign_invigilator(session: Session, invigilator, *, acting_user, now=None) -> Assignment:
    """Assign an invigilator to a session: refused when they are unavailable or already busy
    with an overlapping session (the message names it). Assigning twice changes nothing. Once
    committed, the invigilator is emailed the assignment with a calendar invitation."""
    _require_administrator(acting_user)
    now = _now(now)
    if not invigilator.is_invigilator:
        raise InvigilationError(_("%(user)s n’est pas surveillant.") % {"user": invigilator})
    # Lock the invigilator's row: two administrators assigning them at once queue here, and the
    # second one sees the first assignment when it checks for overlaps.
    invigilator = User.objects.select_for_update().get(pk=invigilator.pk)
    session = Session.objects.select_related("room").get(pk=session.pk)
    if session.status in (SessionStatus.CANCELLED, SessionStatus.FINALISED):
        raise InvigilationError(_("Cette session n’accepte plus d’affectation."))
    existing = Assignment.objects.filter(session=session, invigilator=invigilator).first()
    if existing:
        return existing
    plan = session_staffing(session)
    window = busy_window(session, plan.minutes)
    period = unavailability(invigilator, window)
    if period:
        raise InvigilationError(
            _("%(user)s est indisponible du %(start)s au %(end)s.")
            % {
                "user": invigilator,
                "start": timezone.localtime(period.starts_at).strftime("%d/%m/%Y %H:%M"),
                "end": timezone.localtime(period.ends_at).strftime("%d/%m/%Y %H:%M"),
            }
        )
    clash = conflicting_session(invigilator, session, window)
    if clash:
        raise InvigilationError(
            _(
                "%(user)s surveille déjà la session %(other)s, qui chevauche celle-ci "
                "(surveillance de %(minutes)s minutes, temps majoré compris)."
            )
            % {"user": invigilator, "other": clash, "minutes": session_staffing(clash).minutes}
        )
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                session=session,
                invigilator=invigilator,
                minutes=plan.minutes,
                created_by=acting_user,
                created_at=now,
            )
    except IntegrityError:  # a double click got there first
        return Assignment.objects.get(session=session, invigilator=invigilator)
    record(
        AuditAction.INVIGILATOR_ASSIGNED,
        actor=acting_user,
        obj=assignment,
        session_id=session.pk,
        after={"invigilator": invigilator.pk, "minutes": plan.minutes},
        summary=f"{invigilator} → {session}",
        now=now,
    )
    if not emails_are_suppressed():
        enqueue("sessions_app.tasks.notify_assignment", assignment.pk)
    return assignment


@transaction.atomic(durable=True)
def unassign_invigilator(assignment: Assignment, *, acting_user, now=None) -> None:
    """Remove an invigilator from a session. When their invitation was sent, they are emailed
    its cancellation once committed (their calendar drops the event)."""
    _require_administrator(acting_user)
    now = _now(now)
    # Locked, so that the assignment email's claim on ``notified_at`` (a conditional UPDATE)
    # is either seen here or waits and finds the row gone: never an invitation without its
    # cancellation.
    notified_at = (
        Assignment.objects.select_for_update()
        .filter(pk=assignment.pk)
        .values_list("notified_at", flat=True)
        .first()
    )
    record(
        AuditAction.INVIGILATOR_UNASSIGNED,
        actor=acting_user,
        obj=assignment,
        session_id=assignment.session_id,
        before={"invigilator": assignment.invigilator_id, "minutes": assignment.minutes},
        summary=f"{assignment.invigilator} ↛ {assignment.session}",
        now=now,
    )
    if notified_at is not None and not emails_are_suppressed():
        cancellation, created = AssignmentCancellation.objects.get_or_create(
            assignment_number=assignment.pk,
            defaults={
                "session_id": assignment.session_id,
                "invigilator_id": assignment.invigilator_id,
                "created_at": now,
            },
        )
        if created:
            enqueue("sessions_app.tasks.notify_unassignment", cancellation.pk)
    assignment.delete()


# --- on the day -------------------------------------------------------------------------------


def is_assigned(user, session: Session) -> bool:
    return Assignment.objects.filter(session_id=session.pk, invigilator_id=user.pk).exists()


# --- reading for invigilators -----------------------------------------------------------------


def schedule_of(user, *, academic_year=None):
    """An invigilator's assignments, oldest first, with the session and room."""
    queryset = (
        Assignment.objects.filter(invigilator=user)
        .exclude(session__status__in=INACTIVE_SESSION_STATUSES)
        .select_related("session__room", "session__academic_year")
        .order_by("session__date", "session__start_time")
    )
    if academic_year is not None:
        queryset = queryset.filter(session__academic_year=academic_year)
    return queryset
