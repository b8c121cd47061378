"""A session moves: its convocations are regenerated and sent again as a "changed" notice."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.audit_actions import AuditAction
from outbox.dispatch import enqueue

from ...models import (
    TEST_DURATION,
    Convocation,
    ConvocationStatus,
    ReminderSent,
    Room,
    Session,
    SessionStatus,
)
from .common import LIVE_STATUSES, _describe, _registrations

# --- a session moves --------------------------------------------------------------------------


def _clash(session: Session, room: Room, date: dt.date, start_time: dt.time) -> Session | None:
    starts = dt.datetime.combine(date, start_time)
    others = Session.objects.filter(room=room, date=date).exclude(pk=session.pk)
    for other in others.exclude(status=SessionStatus.CANCELLED):
        if abs(dt.datetime.combine(other.date, other.start_time) - starts) < TEST_DURATION:
            return other
    return None


@transaction.atomic(durable=True)
def reschedule_session(
    session: Session,
    *,
    date: dt.date | None = None,
    start_time: dt.time | None = None,
    room: Room | None = None,
    acting_user,
    now=None,
) -> Session:
    """Move a session (date, time and/or room). Its convocations are regenerated and sent
    again as a "changed" notice; confirmed candidates not convened yet are told by email."""
    from ..common import SessionError, _year_for
    from ..mail import send_candidate_email

    if not (acting_user and acting_user.is_authenticated and acting_user.is_administrator):
        raise SessionError(_("Seul un gestionnaire peut faire cette opération."))
    now = now or timezone.now()
    session = Session.objects.select_for_update().select_related("room").get(pk=session.pk)
    new_date = date or session.date
    new_time = start_time or session.start_time
    new_room = room or session.room
    if (new_date, new_time, new_room.pk) == (session.date, session.start_time, session.room_id):
        return session
    if session.status not in LIVE_STATUSES:
        raise SessionError(
            _("Une session passée, finalisée ou annulée ne peut plus être déplacée.")
        )
    if _year_for(new_date).pk != session.academic_year_id:
        raise SessionError(_("Une session ne peut pas changer d’année universitaire."))
    if new_room.capacity < session.capacity:
        raise SessionError(
            _("La salle %(room)s n’a que %(n)s places.")
            % {"room": new_room, "n": new_room.capacity}
        )
    Room.objects.select_for_update().filter(pk=new_room.pk).get()
    clash = _clash(session, new_room, new_date, new_time)
    if clash:
        raise SessionError(
            _("La salle %(room)s est déjà occupée par la session %(other)s.")
            % {"room": new_room, "other": clash}
        )
    before = {"date": str(session.date), "time": str(session.start_time), "room": session.room_id}
    session.date, session.start_time, session.room = new_date, new_time, new_room
    session.save(update_fields=["date", "start_time", "room"])
    after = {"date": str(new_date), "time": str(new_time), "room": new_room.pk}
    audit.record(
        AuditAction.SESSION_RESCHEDULED,
        actor=acting_user,
        obj=session,
        session_id=session.pk,
        before=before,
        after=after,
        summary=_describe(session),
        now=now,
    )
    convened = Convocation.objects.filter(registration__session=session)
    convened_ids = set(convened.values_list("registration_id", flat=True))
    convened.update(
        status=ConvocationStatus.PENDING,
        revision=F("revision") + 1,
        sent_at=None,
        sending_since=None,
        attempts=0,
        last_error="",
    )
    ReminderSent.objects.filter(registration__session=session).delete()
    for registration in _registrations(session.pk):
        if registration.pk in convened_ids:
            continue
        send_candidate_email(
            registration.candidate, "session_moved", session=session, describe=_describe
        )
    if convened_ids:
        enqueue("sessions_app.tasks.send_session_convocations", session.pk)
    return session
