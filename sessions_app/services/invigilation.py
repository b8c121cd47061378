"""Invigilators: staffing, availability, suggestions, assignments, an invigilator's schedule.

Staffing follows ``staffing.py`` (one invigilator per started block of
``PIX_CANDIDATES_PER_INVIGILATOR`` confirmed candidates, ``PIX_INVIGILATION_MINUTES`` each, plus
``PIX_EXTRA_TIME_EXTENSION_MINUTES`` when a confirmed candidate has extra time — the core
case, scaled to the longest test of the session's candidates: 45 min for Pix+ Droit and Pro
Santé, 1 h 30 for Pix+ Édu). An invigilator
is busy from the start of a session for those minutes: two assignments whose windows overlap
are refused, and so is an assignment during a declared unavailability.

Public entries are ``transaction.atomic(durable=True)``, take a keyword-only ``acting_user`` and
``now=`` (injected time), write the audit trail (``accounts.audit.record``) and raise
:class:`InvigilationError` with a French message.
"""

import dataclasses
import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.audit_actions import AuditAction
from accounts.emails import emails_are_suppressed
from accounts.models import Role, User
from outbox.dispatch import enqueue

from .. import staffing
from ..models import (
    PARIS,
    Assignment,
    InvigilatorPeriod,
    PeriodKind,
    Registration,
    RegistrationStatus,
    Session,
    SessionStatus,
)
from ..models.registrations import test_minutes_expression
from .common import SessionError
from .mail import describe_session

# Sessions that no longer need (or never needed) invigilators.
INACTIVE_SESSION_STATUSES = [SessionStatus.CANCELLED]


class InvigilationError(SessionError):
    """A rule of the centre refuses the request; ``message`` is shown to the person."""


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


# --- availability and assignments -------------------------------------------------------------


def _require_administrator(user):
    if not (user and user.is_authenticated and user.is_administrator):
        raise InvigilationError(_("Seul un gestionnaire peut faire cette opération."))


def _now(now):
    return now or timezone.now()


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
    _require_administrator(acting_user)
    record(
        AuditAction.INVIGILATOR_UNASSIGNED,
        actor=acting_user,
        obj=assignment,
        session_id=assignment.session_id,
        before={"invigilator": assignment.invigilator_id, "minutes": assignment.minutes},
        summary=f"{assignment.invigilator} ↛ {assignment.session}",
        now=_now(now),
    )
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


# --- the assignment email ---------------------------------------------------------------------


def _language_of(user) -> str:
    return "en" if getattr(user, "preferred_language", "") == "en" else "fr"


def build_assignment_ics(assignment: Assignment, *, now=None) -> str:
    """A VCALENDAR with one VEVENT for the invigilation window (METHOD:REQUEST)."""
    import icalendar

    session = assignment.session
    start, end = busy_window(session)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//pixcentre//Surveillance Pix//FR")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = icalendar.Event()
    event.add("uid", f"assignment-{assignment.pk}@pixcentre")
    event.add("dtstamp", now or timezone.now())
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", _("Surveillance de la certification Pix"))
    event.add("location", f"{session.room}, {session.room.address}".strip(", "))
    event.add(
        "description",
        _("Surveillance de la session de certification Pix : %(session)s.")
        % {"session": describe_session(session)},
    )
    event.add("organizer", f"mailto:{settings.PIX_CENTRE_CONTACT_EMAIL}")
    cal.add_component(event)
    return cal.to_ical().decode()


def _assignment_email(assignment: Assignment, *, now) -> EmailMessage:
    session = assignment.session
    invigilator = assignment.invigilator
    start, end = busy_window(session)
    with translation.override(_language_of(invigilator)):
        subject = _("Surveillance de la certification Pix le %(date)s") % {
            "date": date_format(session.date, "l j F Y")
        }
        body = _(
            "Bonjour %(name)s,\n\nVous êtes affecté(e) à la surveillance de la session de "
            "certification Pix %(session)s.\nSurveillance de %(start)s à %(end)s (%(minutes)s "
            "minutes). L’invitation pour votre agenda est jointe.\nLe jour de la session, la "
            "liste des candidats et l’appel sont sur votre page : %(url)s"
        ) % {
            "name": invigilator.first_name or invigilator,
            "session": describe_session(session),
            "start": timezone.localtime(start).strftime("%H:%M"),
            "end": timezone.localtime(end).strftime("%H:%M"),
            "minutes": int((end - start).total_seconds() // 60),
            "url": settings.PIX_SITE_URL.rstrip("/")
            + reverse("invigilation:session_day", args=[session.pk]),
        }
        body += "\n\n" + _("L’équipe du %(centre)s\n%(contact)s") % {
            "centre": settings.PIX_CENTRE_NAME,
            "contact": settings.PIX_CENTRE_CONTACT_EMAIL,
        }
        ics = build_assignment_ics(assignment, now=now)
    message = EmailMessage(
        f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body, to=[invigilator.email]
    )
    message.attach("surveillance-pix.ics", ics, "text/calendar; method=REQUEST")
    return message


def notify_assignment(assignment_id: int, *, now=None) -> str:
    """Email the invigilator their assignment with a calendar invitation, once: claimed on
    ``notified_at`` with a conditional UPDATE, released when the mail server refuses (the
    task retries)."""
    now = _now(now)
    claimed = Assignment.objects.filter(pk=assignment_id, notified_at__isnull=True).update(
        notified_at=now
    )
    if not claimed:
        return "skipped"
    assignment = (
        Assignment.objects.select_related("session__room", "invigilator")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None or not assignment.invigilator.email:
        return "skipped"
    try:
        _assignment_email(assignment, now=now).send(fail_silently=False)
    except Exception:
        Assignment.objects.filter(pk=assignment_id).update(notified_at=None)
        raise
    return "sent"
