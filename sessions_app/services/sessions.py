"""Sessions and rooms: create, edit, reschedule by status, Pix Certif identifiers.

Public entries are ``transaction.atomic(durable=True)``, take a keyword-only ``acting_user`` and
``now=`` (injected time), and raise :class:`SessionError` with a French message.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.audit_actions import AuditAction

from ..models import (
    ACTIVE_STATUSES,
    TEST_DURATION,
    Registration,
    Room,
    Session,
    SessionStatus,
)
from . import locking
from .common import SessionError, _audit, _now, _require_administrator, _year_for
from .habilitations import check_offered
from .mail import _email_session_cancelled
from .registrations import _cancel, _promote_waitlisted


def _overlaps(room: Room, date: dt.date, start_time: dt.time) -> Session | None:
    starts = dt.datetime.combine(date, start_time)
    for other in Session.objects.filter(room=room, date=date).exclude(
        status=SessionStatus.CANCELLED
    ):
        other_starts = dt.datetime.combine(other.date, other.start_time)
        if abs(other_starts - starts) < TEST_DURATION:
            return other
    return None


def _create_session(
    *, acting_user, date, start_time, room, capacity, audience, complementary, status, now
):
    complementary = check_offered(complementary)
    capacity = capacity or min(20, room.capacity)
    if capacity > room.capacity:
        raise SessionError(
            _("La salle %(room)s n’a que %(n)s places.") % {"room": room, "n": room.capacity}
        )
    # Lock the room: two administrators creating sessions at once cannot both pass the check.
    locking.locked(Room.objects.filter(pk=room.pk)).get()
    clash = _overlaps(room, date, start_time)
    if clash:
        raise SessionError(
            _(
                "La salle %(room)s est déjà occupée par la session %(other)s "
                "(une session dure 1 h 45)."
            )
            % {"room": room, "other": clash}
        )
    session = Session.objects.create(
        academic_year=_year_for(date),
        date=date,
        start_time=start_time,
        room=room,
        capacity=capacity,
        audience=audience,
        complementary=list(complementary),
        status=status,
        created_by=acting_user,
        created_at=now,
    )
    _audit(AuditAction.SESSION_CREATED, actor=acting_user, now=now, session=session, after=status)
    return session


@transaction.atomic(durable=True)
def create_session(
    *,
    acting_user,
    date: dt.date,
    start_time: dt.time,
    room: Room,
    capacity: int | None = 20,
    audience: str,
    complementary: Iterable[str] = (),
    status: str = SessionStatus.DRAFT,
    now=None,
) -> Session:
    _require_administrator(acting_user)
    return _create_session(
        acting_user=acting_user,
        date=date,
        start_time=start_time,
        room=room,
        capacity=capacity,
        audience=audience,
        complementary=complementary,
        status=status,
        now=_now(now),
    )


EDITABLE_STATUSES = (SessionStatus.DRAFT, SessionStatus.OPEN, SessionStatus.CLOSED)


@transaction.atomic(durable=True)
def update_session(
    session: Session,
    *,
    acting_user,
    capacity: int,
    audience: str,
    complementary: Iterable[str],
    now=None,
) -> Session:
    """Change a session's seats, audience or complementary certifications, without taking
    anything from a candidate already registered. More seats go to the waitlist first."""
    _require_administrator(acting_user)
    now = _now(now)
    year, sessions = locking.lock_year_and_sessions(session.academic_year_id, [session.pk])
    session = sessions[session.pk]
    complementary = check_offered(complementary)
    if session.status not in EDITABLE_STATUSES:
        raise SessionError(_("Une session passée, finalisée ou annulée ne se modifie plus."))
    if capacity > session.room.capacity:
        raise SessionError(
            _("La salle %(room)s n’a que %(n)s places.")
            % {"room": session.room, "n": session.room.capacity}
        )
    confirmed = locking.confirmed_count(session.pk)
    if capacity < confirmed:
        raise SessionError(
            _(
                "%(n)s candidats ont déjà une place : la session ne peut pas en avoir moins. "
                "Annulez d’abord des inscriptions."
            )
            % {"n": confirmed}
        )
    active = Registration.objects.filter(session=session, status__in=ACTIVE_STATUSES)
    fields = ("capacity", "audience", "complementary")
    before = {name: getattr(session, name) for name in fields}
    after = {"capacity": capacity, "audience": audience, "complementary": complementary}
    session.audience = audience
    excluded = [
        r for r in active.select_related("candidate") if not session.accepts(r.candidate.kind)
    ]
    if excluded:
        raise SessionError(
            _("Ce public exclurait %(n)s candidats inscrits (par exemple %(who)s).")
            % {"n": len(excluded), "who": excluded[0].candidate}
        )
    if dropped := active.exclude(complementary="").exclude(complementary__in=complementary):
        raise SessionError(
            _("%(n)s candidats ont choisi une certification complémentaire que vous retirez.")
            % {"n": dropped.count()}
        )
    session.capacity = capacity
    session.complementary = complementary
    if before == after:
        return session
    session.save(update_fields=list(fields))
    record(
        AuditAction.SESSION_UPDATED,
        actor=acting_user,
        obj=session,
        session_id=session.pk,
        before=before,
        after=after,
        summary=str(session),
        now=now,
    )
    if capacity > before["capacity"] and session.status in (
        SessionStatus.OPEN,
        SessionStatus.CLOSED,
    ):
        _promote_waitlisted(session, year, acting_user=acting_user, now=now)
    return session


@transaction.atomic(durable=True)
def update_room(room: Room, *, acting_user, now=None, **values) -> Room:
    """Change a room's description or seats; seats never below a coming session's."""
    _require_administrator(acting_user)
    now = _now(now)
    room = locking.locked(Room.objects.filter(pk=room.pk)).get()
    largest = (
        Session.objects.filter(room=room, status__in=EDITABLE_STATUSES)
        .order_by("-capacity")
        .first()
    )
    if largest and values["capacity"] < largest.capacity:
        raise SessionError(
            _("La session %(session)s compte %(n)s places dans cette salle : réduisez-la d’abord.")
            % {"session": largest, "n": largest.capacity}
        )
    before = {name: getattr(room, name) for name in values}
    if before == values:
        return room
    for name, value in values.items():
        setattr(room, name, value)
    room.save(update_fields=list(values))
    record(AuditAction.ROOM_UPDATED, actor=acting_user, obj=room, before=before, after=values,
           summary=str(room), now=now)  # fmt: skip
    return room


@transaction.atomic(durable=True)
def create_session_series(
    *,
    acting_user,
    dates: Iterable[dt.date],
    times: Iterable[dt.time],
    rooms: Iterable[Room],
    capacity: int | None = None,
    audience: str,
    complementary: Iterable[str] = (),
    status: str = SessionStatus.DRAFT,
    now=None,
) -> list[Session]:
    """Every date × time × room, all or nothing (one overlap refuses the whole series)."""
    _require_administrator(acting_user)
    now = _now(now)
    complementary = list(complementary)
    rooms = sorted(rooms, key=lambda r: r.pk)
    created = []
    for date in sorted(set(dates)):
        for start_time in sorted(set(times)):
            for room in rooms:
                created.append(
                    _create_session(
                        acting_user=acting_user,
                        date=date,
                        start_time=start_time,
                        room=room,
                        capacity=capacity,
                        audience=audience,
                        complementary=complementary,
                        status=status,
                        now=now,
                    )
                )
    return created


@transaction.atomic(durable=True)
def change_session_status(session: Session, status: str, *, acting_user, now=None) -> Session:
    """Guarded transitions; cancelling cancels every active registration and tells each one."""
    _require_administrator(acting_user)
    now = _now(now)
    session = locking.locked(Session.objects.filter(pk=session.pk)).get()
    if session.status == status:
        return session
    if not session.can_become(status):
        raise SessionError(
            _("Une session « %(before)s » ne peut pas passer à « %(after)s ».")
            % {
                "before": SessionStatus(session.status).label,
                "after": SessionStatus(status).label,
            }
        )
    before = session.status
    session.status = status
    session.save(update_fields=["status"])
    _audit(
        AuditAction.SESSION_STATUS,
        actor=acting_user,
        now=now,
        session=session,
        before=before,
        after=status,
    )
    if status == SessionStatus.CANCELLED:
        for registration in session.registrations.filter(status__in=ACTIVE_STATUSES).select_related(
            "candidate__user", "session__room"
        ):
            _cancel(
                registration,
                AuditAction.CANCELLED_WITH_SESSION,
                session=session,
                acting_user=acting_user,
                now=now,
            )
            _email_session_cancelled(registration)
    return session


@transaction.atomic(durable=True)
def set_pix_certif_identifiers(session: Session, *, number: str, access_code: str, acting_user):
    """Record the Pix Certif session number and access code. Pix accepts starts in a session
    for 24 h after its first start, so one Pix session number never spans two dates: a number
    already given to a session on another day (not cancelled) is refused. Rooms of the same
    day may share it."""
    _require_administrator(acting_user)
    number = number.strip()
    session = Session.objects.get(pk=session.pk)
    if number:
        # Locked: two administrators giving one number to two days at once queue here.
        clash = (
            Session.objects.select_for_update()
            .filter(pix_session_number=number)
            .exclude(pk=session.pk)
            .exclude(date=session.date)
            .exclude(status=SessionStatus.CANCELLED)
            .order_by("date", "start_time")
            .first()
        )
        if clash:
            raise SessionError(
                _(
                    "Le numéro %(number)s est déjà celui de la session Pix du %(date)s : une "
                    "session Pix accepte des démarrages pendant 24 h après le premier et ne "
                    "s’étend jamais sur deux jours. Créez dans Pix Certif une autre session "
                    "pour le %(this)s."
                )
                % {
                    "number": number,
                    "date": clash.date.strftime("%d/%m/%Y"),
                    "this": session.date.strftime("%d/%m/%Y"),
                }
            )
    Session.objects.filter(pk=session.pk).update(
        pix_session_number=number, pix_access_code=access_code.strip()
    )
    session.refresh_from_db()
    return session


# --- reading ----------------------------------------------------------------------------------


def sessions_with_counts(queryset=None):
    """Sessions with their confirmed and waitlisted counts in one query (list pages)."""
    queryset = queryset if queryset is not None else Session.objects.all()
    return queryset.select_related("room", "academic_year").annotate(
        n_confirmed=Count("registrations", filter=Q(registrations__status="confirmed")),
        n_waitlisted=Count("registrations", filter=Q(registrations__status="waitlisted")),
    )
