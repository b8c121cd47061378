"""Workflows of sessions, campaigns and registrations.

Seats are never oversold: every path that may confirm a seat (allocation, first-come
registration, external booking, promotion from the waitlist, administrator override) locks the
academic year row (the yearly student quota) and then the session rows in id order, recounts
inside the lock, then writes. The order of locks is always campaign → year → sessions, so two
workflows never wait on each other in a circle.

Public entries are ``transaction.atomic(durable=True)``, take a keyword-only ``acting_user`` and
``now=`` (injected time), and raise :class:`SessionError` with a French message.
"""

import contextlib
import contextvars
import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.audit import record
from candidates.models import AcademicYear, Candidate, CandidateKind
from outbox.dispatch import enqueue

from .models import (
    ACTIVE_STATUSES,
    MAX_WISHES,
    SEAT_STATUSES,
    TEST_DURATION,
    Application,
    Campaign,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    Room,
    Session,
    SessionStatus,
    Wish,
)

logger = logging.getLogger(__name__)


class SessionError(Exception):
    """A rule of the centre refuses the request; ``message`` is shown to the person."""

    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


# --- locking ----------------------------------------------------------------------------------


def _locked(queryset):
    """Rows read here are locked until the transaction ends (the concurrency test's guard)."""
    return queryset.select_for_update()


def _lock_year_and_sessions(year_id: int, session_ids: Iterable[int]):
    """Lock the year row, then the sessions in id order; return them fresh from the database."""
    year = _locked(AcademicYear.objects.filter(pk=year_id)).get()
    sessions = list(_locked(Session.objects.filter(pk__in=set(session_ids)).order_by("pk")))
    return year, {s.pk: s for s in sessions}


def _confirmed_count(session_id: int) -> int:
    return Registration.objects.filter(
        session_id=session_id, status=RegistrationStatus.CONFIRMED
    ).count()


def _quota_used(year: AcademicYear) -> int:
    """Student seats used this year (a no-show used their seat)."""
    return Registration.objects.filter(
        academic_year=year, status__in=SEAT_STATUSES, candidate__kind=CandidateKind.STUDENT
    ).count()


def _next_waitlist_order(session_id: int) -> int:
    current = Registration.objects.filter(session_id=session_id).aggregate(m=Max("waitlist_order"))[
        "m"
    ]
    return (current or 0) + 1


def _has_free_seat(session: Session, candidate: Candidate, year: AcademicYear) -> bool:
    """Recount inside the lock: capacity of the session and, for students, the yearly quota."""
    if _confirmed_count(session.pk) >= session.capacity:
        return False
    return not (candidate.kind == CandidateKind.STUDENT and _quota_used(year) >= year.student_quota)


# --- helpers ----------------------------------------------------------------------------------


def _now(now):
    return now or timezone.now()


def _require_administrator(user):
    if not (user and user.is_authenticated and user.is_administrator):
        raise SessionError(_("Seul un gestionnaire peut faire cette opération."))


def _require_self_or_administrator(user, candidate: Candidate):
    if user and user.is_authenticated and user.is_administrator:
        return
    if not (user and candidate.user_id == user.pk):
        raise SessionError(_("Vous ne pouvez agir que pour vous-même."))


def _audit(
    action,
    *,
    actor,
    now,
    session=None,
    registration=None,
    campaign=None,
    before="",
    after="",
    detail="",
):
    """One row of the centre's audit trail (``accounts.audit``), in the caller's transaction."""
    obj = registration or campaign or session
    record(
        action,
        actor=actor,
        obj=obj,
        now=now,
        candidate_id=registration.candidate_id if registration else None,
        session_id=session.pk if session else (registration.session_id if registration else None),
        before={"value": before} if before else None,
        after={"value": after} if after else None,
        summary=detail,
    )


def _cancel(registration, action, *, session, acting_user, now) -> str:
    """Cancel one registration (the caller holds the locks) and audit it; returns the status
    it had before."""
    before = registration.status
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    _audit(
        action,
        actor=acting_user,
        now=now,
        session=session,
        registration=registration,
        before=before,
        after=registration.status,
    )
    return before


def _recipient(candidate: Candidate) -> str:
    return candidate.convocation_email or (candidate.user.email if candidate.user_id else "")


_emails_suppressed = contextvars.ContextVar("sessions_emails_suppressed", default=False)


@contextlib.contextmanager
def emails_suppressed():
    """Demo data is made through the services without writing to anybody."""
    token = _emails_suppressed.set(True)
    try:
        yield
    finally:
        _emails_suppressed.reset(token)


def _send_on_commit(candidate: Candidate, subject: str, body: str):
    """Emails leave only once the change is committed: a rolled-back seat sends nothing. They
    leave from a task: a mail server that is slow or down never fails the request whose change
    is already committed (``tasks.send_email`` retries)."""
    from .tasks import send_email

    to = _recipient(candidate)
    if not to or _emails_suppressed.get():
        return
    full_subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}"
    signature = "\n\n" + _("L’équipe du %(centre)s\n%(contact)s") % {
        "centre": settings.PIX_CENTRE_NAME,
        "contact": settings.PIX_CENTRE_CONTACT_EMAIL,
    }
    enqueue(send_email, full_subject, body + signature, to)


def describe_session(session: Session) -> str:
    return _("le %(date)s à %(time)s, %(room)s") % {
        "date": date_format(session.date, "l j F Y"),
        "time": session.start_time.strftime("%H:%M"),
        "room": session.room,
    }


def _email_outcome(registration: Registration, *, position: int | None = None):
    candidate = registration.candidate
    hello = _("Bonjour %(name)s,") % {"name": candidate.first_name}
    if registration.status == RegistrationStatus.CONFIRMED:
        subject = _("Votre place en session de certification Pix est confirmée")
        body = _(
            "%(hello)s\n\nVotre place est confirmée pour la session de certification Pix "
            "%(session)s.\nVous pouvez annuler depuis votre espace jusqu’à %(hours)s heures "
            "avant le début de la session."
        ) % {
            "hello": hello,
            "session": describe_session(registration.session),
            "hours": getattr(settings, "PIX_CANCELLATION_DEADLINE_HOURS", 72),
        }
    else:
        subject = _("Vous êtes sur liste d’attente pour une session de certification Pix")
        body = _(
            "%(hello)s\n\nToutes les places de la session %(session)s sont attribuées. Vous êtes "
            "en position %(position)s sur sa liste d’attente ; nous vous écrirons si une place "
            "se libère."
        ) % {
            "hello": hello,
            "session": describe_session(registration.session),
            "position": position or registration.waitlist_position(),
        }
    if candidate.kind != CandidateKind.EXTERNAL:
        body += "\n\n" + (
            _("Votre niveau de priorité : %(tier)s (1 = le plus prioritaire).")
            % {"tier": candidate.priority_tier}
            if candidate.priority_tier
            else _("Votre niveau de priorité n’est pas encore calculé.")
        )
    _send_on_commit(candidate, subject, body)


def _email_promotion(registration: Registration):
    candidate = registration.candidate
    body = _(
        "Bonjour %(name)s,\n\nUne place s’est libérée : votre place est désormais confirmée pour "
        "la session de certification Pix %(session)s."
    ) % {"name": candidate.first_name, "session": describe_session(registration.session)}
    _send_on_commit(candidate, _("Une place s’est libérée pour vous"), body)


def _email_session_cancelled(registration: Registration):
    candidate = registration.candidate
    body = _(
        "Bonjour %(name)s,\n\nLa session de certification Pix %(session)s est annulée. Votre "
        "inscription est annulée ; vous pouvez vous inscrire à une autre session depuis votre "
        "espace."
    ) % {"name": candidate.first_name, "session": describe_session(registration.session)}
    _send_on_commit(candidate, _("Session de certification Pix annulée"), body)


# --- eligibility ------------------------------------------------------------------------------


def eligibility_problems(
    candidate: Candidate, *, year: AcademicYear, sessions: Sequence[Session] = ()
) -> list[str]:
    """Why this candidate may not ask for a seat this year (empty: eligible)."""
    problems = []
    if not candidate.identity_complete:
        problems.append(_("Votre identité est incomplète : complétez-la telle que Pix la demande."))
    if candidate.kind == CandidateKind.STUDENT and not candidate.is_certifiable:
        problems.append(
            _(
                "Votre profil de positionnement n’est pas certifiable "
                "(il faut au moins 5 compétences de niveau 1 ou plus)."
            )
        )
    for session in sessions:
        if not session.accepts(candidate.kind):
            problems.append(
                _("La session %(session)s n’est pas ouverte aux candidats de type « %(kind)s ».")
                % {"session": session, "kind": candidate.get_kind_display()}
            )
    if Registration.objects.filter(
        candidate=candidate, academic_year=year, status__in=[*ACTIVE_STATUSES, "no_show"]
    ).exists():
        problems.append(
            _("Vous avez déjà une place (ou une place en liste d’attente) cette année.")
        )
    return problems


def _check_eligible(candidate, *, year, sessions=()):
    problems = eligibility_problems(candidate, year=year, sessions=sessions)
    if problems:
        raise SessionError(problems[0])


# --- rooms and sessions -----------------------------------------------------------------------


def _year_for(date: dt.date) -> AcademicYear:
    year = AcademicYear.objects.filter(start_date__lte=date, end_date__gte=date).first()
    if year is None:
        raise SessionError(
            _("Aucune année universitaire ne contient le %(date)s : créez-la d’abord.")
            % {"date": date.strftime("%d/%m/%Y")}
        )
    return year


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
    capacity = capacity or min(20, room.capacity)
    if capacity > room.capacity:
        raise SessionError(
            _("La salle %(room)s n’a que %(n)s places.") % {"room": room, "n": room.capacity}
        )
    # Lock the room: two administrators creating sessions at once cannot both pass the check.
    _locked(Room.objects.filter(pk=room.pk)).get()
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
    _audit("session_created", actor=acting_user, now=now, session=session, after=status)
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
    year, sessions = _lock_year_and_sessions(session.academic_year_id, [session.pk])
    session = sessions[session.pk]
    complementary = list(complementary)
    if session.status not in EDITABLE_STATUSES:
        raise SessionError(_("Une session passée, finalisée ou annulée ne se modifie plus."))
    if capacity > session.room.capacity:
        raise SessionError(
            _("La salle %(room)s n’a que %(n)s places.")
            % {"room": session.room, "n": session.room.capacity}
        )
    confirmed = _confirmed_count(session.pk)
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
        "session_updated",
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
    room = _locked(Room.objects.filter(pk=room.pk)).get()
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
    record("room_updated", actor=acting_user, obj=room, before=before, after=values,
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
    session = _locked(Session.objects.filter(pk=session.pk)).get()
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
        "session_status", actor=acting_user, now=now, session=session, before=before, after=status
    )
    if status == SessionStatus.CANCELLED:
        for registration in session.registrations.filter(status__in=ACTIVE_STATUSES).select_related(
            "candidate__user", "session__room"
        ):
            _cancel(
                registration,
                "registration_cancelled_with_session",
                session=session,
                acting_user=acting_user,
                now=now,
            )
            _email_session_cancelled(registration)
    return session


@transaction.atomic(durable=True)
def set_pix_certif_identifiers(session: Session, *, number: str, access_code: str, acting_user):
    _require_administrator(acting_user)
    Session.objects.filter(pk=session.pk).update(
        pix_session_number=number.strip(), pix_access_code=access_code.strip()
    )
    session.refresh_from_db()
    return session


# --- campaigns --------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def create_campaign(
    *, acting_user, academic_year, name, opens_at, closes_at, sessions, now=None
) -> Campaign:
    """A campaign over sessions of its year; draft sessions open for applications."""
    _require_administrator(acting_user)
    now = _now(now)
    sessions = list(sessions)
    if not sessions:
        raise SessionError(_("Choisissez au moins une session."))
    if closes_at <= opens_at:
        raise SessionError(_("La clôture doit suivre l’ouverture."))
    for session in sessions:
        if session.academic_year_id != academic_year.pk:
            raise SessionError(
                _("La session %(session)s n’appartient pas à l’année %(year)s.")
                % {"session": session, "year": academic_year}
            )
        if session.status not in (SessionStatus.DRAFT, SessionStatus.OPEN):
            raise SessionError(
                _("La session %(session)s n’accepte plus d’inscriptions.") % {"session": session}
            )
    campaign = Campaign.objects.create(
        academic_year=academic_year,
        name=name,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=acting_user,
        created_at=now,
    )
    campaign.sessions.set(sessions)
    Session.objects.filter(pk__in=[s.pk for s in sessions], status=SessionStatus.DRAFT).update(
        status=SessionStatus.OPEN
    )
    _audit("campaign_created", actor=acting_user, now=now, campaign=campaign)
    return campaign


@transaction.atomic(durable=True)
def apply_for_campaign(
    campaign: Campaign, candidate: Candidate, session_ids: Sequence[int], *, acting_user, now=None
) -> Application:
    """Apply (or change one's wishes) with up to 3 ranked sessions. Idempotent."""
    _require_self_or_administrator(acting_user, candidate)
    now = _now(now)
    campaign = Campaign.objects.get(pk=campaign.pk)
    if not campaign.is_open(now):
        raise SessionError(_("Cette campagne n’accepte pas de candidatures en ce moment."))
    session_ids = [int(pk) for pk in session_ids if pk]
    if not 1 <= len(session_ids) <= MAX_WISHES:
        raise SessionError(_("Classez entre 1 et 3 sessions."))
    if len(set(session_ids)) != len(session_ids):
        raise SessionError(_("Chaque session ne peut être choisie qu’une fois."))
    offered = {s.pk: s for s in campaign.sessions.select_related("room")}
    if any(pk not in offered for pk in session_ids):
        raise SessionError(_("Cette session ne fait pas partie de la campagne."))
    sessions = [offered[pk] for pk in session_ids]
    if any(s.status != SessionStatus.OPEN for s in sessions):
        raise SessionError(_("Une des sessions choisies n’est plus ouverte."))
    _check_eligible(candidate, year=campaign.academic_year, sessions=sessions)

    application = _locked(
        Application.objects.filter(campaign=campaign, candidate=candidate)
    ).first()
    if application is None:
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    campaign=campaign, candidate=candidate, applied_at=now
                )
        except IntegrityError:  # a double click: the other request created it
            application = _locked(
                Application.objects.filter(campaign=campaign, candidate=candidate)
            ).get()
    current = list(application.wishes.order_by("rank").values_list("session_id", flat=True))
    if current != session_ids:
        application.wishes.all().delete()
        Wish.objects.bulk_create(
            Wish(application=application, rank=rank, session_id=pk)
            for rank, pk in enumerate(session_ids, start=1)
        )
        _audit(
            "application_wishes",
            actor=acting_user,
            now=now,
            campaign=campaign,
            detail=",".join(map(str, session_ids)),
        )
    return application


@dataclasses.dataclass
class Outcome:
    application: Application
    candidate: Candidate
    session: Session | None
    status: str  # confirmed, waitlisted, or "skipped"
    wish_rank: int | None = None
    waitlist_position: int | None = None
    reason: str = ""


@dataclasses.dataclass
class AllocationResult:
    outcomes: list[Outcome]
    dry_run: bool
    already_done: bool = False
    quota_left: int = 0

    @property
    def confirmed(self):
        return [o for o in self.outcomes if o.status == RegistrationStatus.CONFIRMED]

    @property
    def waitlisted(self):
        return [o for o in self.outcomes if o.status == RegistrationStatus.WAITLISTED]


def _tier_key(application: Application):
    tier = application.candidate.priority_tier
    return (tier if tier is not None else 4, application.applied_at, application.pk)


def _plan(campaign: Campaign, year: AcademicYear, sessions: dict[int, Session]) -> AllocationResult:
    """Who gets what: by tier then application time, highest-ranked wish with a free seat."""
    seats = {}
    next_order = {}
    waiting = {}
    for pk, session in sessions.items():
        seats[pk] = session.capacity - _confirmed_count(pk)
        next_order[pk] = _next_waitlist_order(pk)
        waiting[pk] = Registration.objects.filter(
            session_id=pk, status=RegistrationStatus.WAITLISTED
        ).count()
    quota_left = year.student_quota - _quota_used(year)
    busy = set(
        Registration.objects.filter(
            academic_year=year, status__in=[*ACTIVE_STATUSES, RegistrationStatus.NO_SHOW]
        ).values_list("candidate_id", flat=True)
    )
    applications = sorted(
        campaign.applications.filter(allocated_at__isnull=True)
        .select_related("candidate__user")
        .prefetch_related("wishes"),
        key=_tier_key,
    )
    outcomes = []
    for application in applications:
        candidate = application.candidate
        wishes = [
            w
            for w in sorted(application.wishes.all(), key=lambda w: w.rank)
            if w.session_id in sessions
            and sessions[w.session_id].status not in (SessionStatus.CANCELLED,)
        ]
        if candidate.pk in busy:
            outcomes.append(
                Outcome(application, candidate, None, "skipped", reason=_("déjà inscrit"))
            )
            continue
        if not wishes:
            outcomes.append(
                Outcome(application, candidate, None, "skipped", reason=_("aucun vœu valide"))
            )
            continue
        is_student = candidate.kind == CandidateKind.STUDENT
        quota_ok = not is_student or quota_left > 0
        chosen = next((w for w in wishes if seats[w.session_id] > 0), None) if quota_ok else None
        busy.add(candidate.pk)
        if chosen:
            seats[chosen.session_id] -= 1
            if is_student:
                quota_left -= 1
            outcomes.append(
                Outcome(
                    application,
                    candidate,
                    sessions[chosen.session_id],
                    RegistrationStatus.CONFIRMED,
                    wish_rank=chosen.rank,
                )
            )
        else:
            first = wishes[0]
            waiting[first.session_id] += 1
            outcomes.append(
                Outcome(
                    application,
                    candidate,
                    sessions[first.session_id],
                    RegistrationStatus.WAITLISTED,
                    wish_rank=first.rank,
                    waitlist_position=waiting[first.session_id],
                    reason=_("quota annuel atteint") if not quota_ok else _("sessions complètes"),
                )
            )
    return AllocationResult(outcomes=outcomes, dry_run=True, quota_left=quota_left)


def allocate_campaign(
    campaign: Campaign, *, acting_user=None, dry_run: bool = False, now=None
) -> AllocationResult:
    """Allocate the seats of a closed campaign (``dry_run``: only say who would get what).

    Idempotent: a campaign already allocated is left alone. ``acting_user`` is None when the
    Celery job runs it.
    """
    if acting_user is not None:
        _require_administrator(acting_user)
    now = _now(now)
    if dry_run:
        with transaction.atomic():
            campaign = Campaign.objects.get(pk=campaign.pk)
            sessions = {s.pk: s for s in campaign.sessions.select_related("room")}
            result = _plan(campaign, campaign.academic_year, sessions)
            result.already_done = campaign.allocated_at is not None
            return result
    return _allocate(campaign, acting_user=acting_user, now=now)


@transaction.atomic(durable=True)
def _allocate(campaign, *, acting_user, now) -> AllocationResult:
    campaign = _locked(Campaign.objects.filter(pk=campaign.pk)).get()
    if campaign.allocated_at is not None:
        return AllocationResult(outcomes=[], dry_run=False, already_done=True)
    if now < campaign.closes_at:
        raise SessionError(
            _("La campagne est encore ouverte : l’attribution se fait après sa clôture.")
        )
    session_ids = list(campaign.sessions.values_list("pk", flat=True))
    year, sessions = _lock_year_and_sessions(campaign.academic_year_id, session_ids)
    for session in sessions.values():
        session.room = Room.objects.get(pk=session.room_id)
    result = _plan(campaign, year, sessions)
    result.dry_run = False
    orders = {pk: _next_waitlist_order(pk) for pk in sessions}
    for outcome in result.outcomes:
        application = outcome.application
        application.allocated_at = now
        application.priority_tier = outcome.candidate.priority_tier
        application.save(update_fields=["allocated_at", "priority_tier"])
        if outcome.status == "skipped":
            continue
        order = None
        if outcome.status == RegistrationStatus.WAITLISTED:
            order = orders[outcome.session.pk]
            orders[outcome.session.pk] += 1
        registration = Registration.objects.create(
            candidate=outcome.candidate,
            session=outcome.session,
            academic_year=year,
            status=outcome.status,
            source=RegistrationSource.ALLOCATION,
            waitlist_order=order,
            application=application,
            created_at=now,
            confirmed_at=now if outcome.status == RegistrationStatus.CONFIRMED else None,
            created_by=acting_user,
        )
        _audit(
            "allocated",
            actor=acting_user,
            now=now,
            session=outcome.session,
            registration=registration,
            campaign=campaign,
            after=outcome.status,
        )
        _email_outcome(registration, position=outcome.waitlist_position)
    campaign.allocated_at = now
    campaign.save(update_fields=["allocated_at"])
    _audit(
        "campaign_allocated",
        actor=acting_user,
        now=now,
        campaign=campaign,
        detail=f"{len(result.confirmed)} confirmed, {len(result.waitlisted)} waitlisted",
    )
    return result


# --- registrations after allocation -----------------------------------------------------------


def _register(
    session, candidate, *, acting_user, now, source, complementary="", check_kind=None
) -> Registration:
    """Take a seat if one is free, else a waitlist place: locked, recounted, idempotent."""
    now = _now(now)
    _require_self_or_administrator(acting_user, candidate)
    year, sessions = _lock_year_and_sessions(session.academic_year_id, [session.pk])
    session = sessions[session.pk]
    existing = Registration.objects.filter(
        candidate=candidate, session=session, status__in=ACTIVE_STATUSES
    ).first()
    if existing:  # a double click: the first request already registered them
        return existing
    if check_kind:
        check_kind(candidate, session)
    if session.status != SessionStatus.OPEN or session.starts_at <= now:
        raise SessionError(_("Cette session n’est pas ouverte aux inscriptions."))
    if session.campaigns.filter(allocated_at__isnull=True).exists():
        raise SessionError(
            _("Les places de cette session seront attribuées à la clôture de sa campagne.")
        )
    if complementary and complementary not in session.complementary:
        raise SessionError(_("Cette certification complémentaire n’est pas proposée ici."))
    _check_eligible(candidate, year=year, sessions=[session])

    free = _has_free_seat(session, candidate, year)
    status = RegistrationStatus.CONFIRMED if free else RegistrationStatus.WAITLISTED
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                candidate=candidate,
                session=session,
                academic_year=year,
                status=status,
                source=source,
                waitlist_order=None if free else _next_waitlist_order(session.pk),
                complementary=complementary,
                created_at=now,
                confirmed_at=now if free else None,
                created_by=acting_user if acting_user and acting_user.is_authenticated else None,
            )
    except IntegrityError:
        existing = Registration.objects.filter(
            candidate=candidate, session=session, status__in=ACTIVE_STATUSES
        ).first()
        if existing:
            return existing
        raise SessionError(
            _("Vous avez déjà une place (ou une place en liste d’attente) cette année.")
        ) from None
    _audit(
        source, actor=acting_user, now=now, session=session, registration=registration, after=status
    )
    _email_outcome(registration)
    return registration


@transaction.atomic(durable=True)
def register_first_come(
    session: Session, candidate: Candidate, *, acting_user, complementary: str = "", now=None
) -> Registration:
    """After allocation, remaining seats go first come, first served (then the waitlist)."""
    return _register(
        session,
        candidate,
        acting_user=acting_user,
        now=now,
        source=RegistrationSource.FIRST_COME,
        complementary=complementary,
    )


def _external_only(candidate, session):
    if candidate.kind != CandidateKind.EXTERNAL:
        raise SessionError(_("La réservation payante est réservée aux candidats externes."))
    if not session.accepts(CandidateKind.EXTERNAL):
        raise SessionError(_("Cette session n’est pas ouverte aux candidats externes."))


@transaction.atomic(durable=True)
def book_external(
    session: Session, candidate: Candidate, *, acting_user, complementary: str = "", now=None
) -> Registration:
    """An external candidate books a seat in an external or mixed session (a fee is due)."""
    return _register(
        session,
        candidate,
        acting_user=acting_user,
        now=now,
        source=RegistrationSource.BOOKING,
        complementary=complementary,
        check_kind=_external_only,
    )


def _promote_waitlisted(session: Session, year: AcademicYear, *, acting_user, now) -> list:
    """Give the free seats of a locked session to the first of its waitlist, in order."""
    promoted = []
    queue = (
        Registration.objects.filter(session=session, status=RegistrationStatus.WAITLISTED)
        .select_related("candidate__user", "session__room")
        .order_by("waitlist_order", "created_at")
    )
    for registration in queue:
        if _confirmed_count(session.pk) >= session.capacity:
            break
        if not _has_free_seat(session, registration.candidate, year):
            continue  # the yearly student quota is reached: a later non-student may pass
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        _audit(
            "promoted",
            actor=acting_user,
            now=now,
            session=session,
            registration=registration,
            before=RegistrationStatus.WAITLISTED,
            after=RegistrationStatus.CONFIRMED,
        )
        _email_promotion(registration)
        promoted.append(registration)
    return promoted


@transaction.atomic(durable=True)
def cancel_registration(registration: Registration, *, acting_user, now=None) -> Registration:
    """The candidate (before the deadline) or an administrator frees the seat; the first on
    the waitlist gets it and is told by email."""
    now = _now(now)
    _require_self_or_administrator(acting_user, registration.candidate)
    year, sessions = _lock_year_and_sessions(
        registration.academic_year_id, [registration.session_id]
    )
    session = sessions[registration.session_id]
    registration = _locked(Registration.objects.filter(pk=registration.pk)).get()
    if registration.status == RegistrationStatus.CANCELLED:
        return registration
    if registration.status not in ACTIVE_STATUSES:
        raise SessionError(_("Cette inscription ne peut plus être annulée."))
    if not acting_user.is_administrator and now > session.cancellation_deadline():
        raise SessionError(
            _(
                "Le délai d’annulation est dépassé (%(hours)s heures avant la session) : "
                "contactez le centre."
            )
            % {"hours": getattr(settings, "PIX_CANCELLATION_DEADLINE_HOURS", 72)}
        )
    before = _cancel(registration, "cancelled", session=session, acting_user=acting_user, now=now)
    if before == RegistrationStatus.CONFIRMED and session.status in (
        SessionStatus.OPEN,
        SessionStatus.CLOSED,
    ):
        _promote_waitlisted(session, year, acting_user=acting_user, now=now)
    return registration


@transaction.atomic(durable=True)
def mark_no_show(registration: Registration, *, acting_user, now=None) -> Registration:
    _require_administrator(acting_user)
    now = _now(now)
    registration = _locked(
        Registration.objects.filter(pk=registration.pk).select_related("session")
    ).get()
    if registration.status == RegistrationStatus.NO_SHOW:
        return registration
    if registration.status != RegistrationStatus.CONFIRMED:
        raise SessionError(_("Seul un candidat avec une place confirmée peut être absent."))
    if registration.session.starts_at > now:
        raise SessionError(_("La session n’a pas encore commencé."))
    registration.status = RegistrationStatus.NO_SHOW
    registration.save(update_fields=["status"])
    _audit(
        "no_show",
        actor=acting_user,
        now=now,
        session=registration.session,
        registration=registration,
        before=RegistrationStatus.CONFIRMED,
        after=RegistrationStatus.NO_SHOW,
    )
    return registration


@transaction.atomic(durable=True)
def override_seat(
    session: Session, candidate: Candidate, *, acting_user, complementary: str = "", now=None
) -> Registration:
    """An administrator gives a candidate a seat in a session, ahead of the waitlist and
    outside campaigns, moving them from another session of the year if need be. Capacity and
    the yearly quota still hold."""
    _require_administrator(acting_user)
    now = _now(now)
    previous = Registration.objects.filter(
        candidate=candidate, academic_year_id=session.academic_year_id, status__in=ACTIVE_STATUSES
    ).first()
    ids = [session.pk] + ([previous.session_id] if previous else [])
    year, sessions = _lock_year_and_sessions(session.academic_year_id, ids)
    session = sessions[session.pk]
    if session.status in (SessionStatus.CANCELLED, SessionStatus.FINALISED):
        raise SessionError(_("Cette session n’accepte plus d’inscriptions."))
    previous = _locked(
        Registration.objects.filter(
            candidate=candidate, academic_year=year, status__in=ACTIVE_STATUSES
        )
    ).first()
    if (
        previous
        and previous.session_id == session.pk
        and previous.status == RegistrationStatus.CONFIRMED
    ):
        return previous
    if not _has_free_seat(session, candidate, year):
        raise SessionError(
            _("Plus de place libre (session complète ou quota annuel atteint) : libérez-en une.")
        )
    if previous and previous.session_id == session.pk:
        registration = previous
        before = registration.status
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
    else:
        before = ""
        if previous:
            was = previous.status
            previous.status = RegistrationStatus.CANCELLED
            previous.cancelled_at = now
            previous.save(update_fields=["status", "cancelled_at"])
            _audit(
                "moved_out",
                actor=acting_user,
                now=now,
                session=previous.session,
                registration=previous,
                before=was,
                after=previous.status,
            )
            if was == RegistrationStatus.CONFIRMED:
                _promote_waitlisted(
                    sessions[previous.session_id], year, acting_user=acting_user, now=now
                )
        registration = Registration.objects.create(
            candidate=candidate,
            session=session,
            academic_year=year,
            status=RegistrationStatus.CONFIRMED,
            source=RegistrationSource.OVERRIDE,
            complementary=complementary,
            created_at=now,
            confirmed_at=now,
            created_by=acting_user,
        )
    _audit(
        "override",
        actor=acting_user,
        now=now,
        session=session,
        registration=registration,
        before=before,
        after=registration.status,
    )
    _email_outcome(registration)
    return registration


@transaction.atomic(durable=True)
def choose_complementary(
    registration: Registration, code: str, *, acting_user, now=None
) -> Registration:
    """A candidate picks (or drops, with ``""``) one complementary certification offered by
    their session, until the cancellation deadline; an administrator at any time."""
    _require_self_or_administrator(acting_user, registration.candidate)
    now = _now(now)
    registration = _locked(
        Registration.objects.filter(pk=registration.pk).select_related("session")
    ).get()
    if registration.status not in ACTIVE_STATUSES:
        raise SessionError(_("Cette inscription n’est plus active."))
    if code and code not in registration.session.complementary:
        raise SessionError(_("Cette certification complémentaire n’est pas proposée ici."))
    if not acting_user.is_administrator and now > registration.session.cancellation_deadline():
        raise SessionError(_("Le délai est dépassé : contactez le centre."))
    before = registration.complementary
    registration.complementary = code
    registration.save(update_fields=["complementary"])
    _audit(
        "complementary",
        actor=acting_user,
        now=now,
        session=registration.session,
        registration=registration,
        before=before,
        after=code,
    )
    return registration


@transaction.atomic(durable=True)
def set_prepaid_code(registration: Registration, code: str, *, acting_user, now=None):
    """The centre prepaid this candidate's Pix fee: exported as ``Prépayée`` with the code
    (SIRET + ``/`` + invoice number); an empty code goes back to the usual pricing."""
    _require_administrator(acting_user)
    now = _now(now)
    registration = _locked(
        Registration.objects.filter(pk=registration.pk).select_related("session")
    ).get()
    before = registration.prepaid_code
    registration.prepaid_code = code.strip()
    registration.save(update_fields=["prepaid_code"])
    _audit(
        "prepaid_code",
        actor=acting_user,
        now=now,
        session=registration.session,
        registration=registration,
        before=before[:40],
        after=registration.prepaid_code[:40],
    )
    return registration


# --- reading ----------------------------------------------------------------------------------


def sessions_with_counts(queryset=None):
    """Sessions with their confirmed and waitlisted counts in one query (list pages)."""
    queryset = queryset if queryset is not None else Session.objects.all()
    return queryset.select_related("room", "academic_year").annotate(
        n_confirmed=Count("registrations", filter=Q(registrations__status="confirmed")),
        n_waitlisted=Count("registrations", filter=Q(registrations__status="waitlisted")),
    )
