"""Demo invigilation: four invigilators (the demo ``surveillant`` among them) with their
availability, assignments for the demo sessions (a few coming ones left understaffed, so that
the administrators' home flags them), one held session with its roll call and incidents, and
an unavailability the demo invigilator declared over one of their coming sessions (a clash,
flagged to the administrators and to them).

Idempotent. ``seed_demo`` runs in one transaction, so the services' durable entry points are
called through ``__wrapped__`` (the same function without its ``atomic(durable=True)``).
"""

import datetime as dt

from django.utils import timezone

from accounts.demo import ensure_user
from accounts.models import Role, User
from candidates.demo import season_day
from candidates.models import AcademicYear

from ..models import (
    PARIS,
    Assignment,
    Audience,
    Incident,
    InvigilatorPeriod,
    PeriodKind,
    RegistrationStatus,
    Session,
    SessionStatus,
)
from ..services import attendance, invigilation
from ..services.mail import emails_suppressed

INVIGILATORS = [
    ("surveillant@demo.pixcentre.fr", "Paul", "Surveillant"),
    ("marie.lefevre@demo.pixcentre.fr", "Marie", "Lefèvre"),
    ("karim.haddad@demo.pixcentre.fr", "Karim", "Haddad"),
    ("julie.moreau@demo.pixcentre.fr", "Julie", "Moreau"),
]
# Every fourth coming session is left without its invigilators (shown as understaffed).
UNDERSTAFFED_EVERY = 4


def _call(service, *args, **kwargs):
    return getattr(service, "__wrapped__", service)(*args, **kwargs)


def _at(day: dt.date, hour: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=PARIS)


def _people(year: AcademicYear) -> list[User]:
    people = []
    for n, (email, first, last) in enumerate(INVIGILATORS):
        person = ensure_user(email, Role.INVIGILATOR, first, last)
        InvigilatorPeriod.objects.get_or_create(
            invigilator=person,
            kind=PeriodKind.AVAILABLE,
            starts_at=_at(year.start_date),
            defaults={"ends_at": _at(year.end_date, 23), "note": "Toute l’année"},
        )
        if n == 3:  # Julie is away for a week in the coming month
            away = timezone.localdate() + dt.timedelta(days=14)
            InvigilatorPeriod.objects.get_or_create(
                invigilator=person,
                kind=PeriodKind.UNAVAILABLE,
                starts_at=_at(away),
                defaults={"ends_at": _at(away + dt.timedelta(days=7)), "note": "Congés"},
            )
        people.append(person)
    return people


def _staff(session: Session, admin) -> int:
    plan = invigilation.session_staffing(session)
    added = 0
    for _ in range(plan.missing):
        suggestions = invigilation.suggest_invigilators(session, limit=1)
        if not suggestions:
            break
        _call(
            invigilation.assign_invigilator,
            session,
            suggestions[0].invigilator,
            acting_user=admin,
        )
        added += 1
    return added


def _held_session_day(session: Session, admin) -> None:
    """Roll call and incidents of one held session, as its invigilator took them."""
    assignment = session.assignments.select_related("invigilator").first()
    invigilator = assignment.invigilator if assignment else admin
    confirmed = list(
        session.registrations.filter(status=RegistrationStatus.CONFIRMED)
        .select_related("candidate")
        .order_by("candidate__birth_name", "pk")
    )
    if not confirmed:
        return
    at = session.starts_at + dt.timedelta(minutes=5)
    for n, registration in enumerate(confirmed):
        if hasattr(registration, "attendance"):
            continue
        present = n != len(confirmed) - 1  # the last one on the list did not come
        _call(
            attendance.mark_attendance,
            registration,
            present=present,
            identity_checked=present,
            acting_user=invigilator,
            now=at,
        )
    if not Incident.objects.filter(session=session).exists():
        _call(
            attendance.report_incident,
            session,
            registration=confirmed[0],
            code="E4",
            question_number=12,
            description="Le site de la question était inaccessible depuis le réseau du campus.",
            acting_user=invigilator,
            now=at + dt.timedelta(minutes=40),
        )
        _call(
            attendance.report_incident,
            session,
            code="C7",
            description="Coupure réseau de 3 minutes vers 9 h 50, reprise sans perte.",
            acting_user=invigilator,
            now=at + dt.timedelta(minutes=45),
        )


def seed(*, rng, stdout):
    today = timezone.localdate()
    year = AcademicYear.current(season_day(today))  # the sessions demo's year
    admin = User.objects.filter(email="gestionnaire@demo.pixcentre.fr").first()
    if year is None or admin is None:
        stdout.write("Invigilation: no academic year or administrator, nothing to do.")
        return
    _people(year)
    sessions = list(
        Session.objects.filter(academic_year=year)
        .exclude(status__in=[SessionStatus.CANCELLED, SessionStatus.DRAFT])
        .select_related("room")
        .order_by("date", "start_time")
    )
    coming = [s for s in sessions if s.date >= today]
    skipped = {
        s.pk for i, s in enumerate(coming) if i % UNDERSTAFFED_EVERY == UNDERSTAFFED_EVERY - 1
    }
    with emails_suppressed():  # no assignment email to the demo invigilators
        assigned = sum(_staff(s, admin) for s in sessions if s.pk not in skipped)
    # The roll call of the latest held students' session (externals' sessions get theirs from
    # the billing demo).
    held = [
        s
        for s in sessions
        if s.date < today
        and s.status == SessionStatus.HELD
        and s.audience == Audience.STUDENTS
        and s.registrations.filter(status=RegistrationStatus.CONFIRMED).exists()
    ]
    if held:
        _held_session_day(held[-1], admin)
    clash = _clash(today)
    stdout.write(
        f"Invigilation: {len(INVIGILATORS)} invigilators, {assigned} new assignments, "
        f"{len(invigilation.understaffed_sessions(today=today))} coming sessions understaffed"
        + (f", roll call taken for {held[-1]}" if held else "")
        + f", {clash}."
    )


def _clash(today: dt.date) -> str:
    """The demo invigilator declared, after being assigned, an unavailability over one of their
    coming sessions: the administrators' home, the session's page and the invigilator's own
    pages flag it."""
    person = User.objects.filter(email=INVIGILATORS[0][0]).first()
    assignment = (
        Assignment.objects.filter(
            invigilator=person, session__date__gt=today + dt.timedelta(days=2)
        )
        .exclude(session__status__in=[SessionStatus.CANCELLED, SessionStatus.FINALISED])
        .select_related("session")
        .order_by("session__date", "session__start_time")
        .first()
    )
    if assignment is None:
        return "no clash (the demo invigilator has no coming session)"
    start = assignment.session.starts_at - dt.timedelta(hours=1)
    InvigilatorPeriod.objects.get_or_create(
        invigilator=person,
        kind=PeriodKind.UNAVAILABLE,
        starts_at=start,
        defaults={"ends_at": start + dt.timedelta(hours=3), "note": "Jury d’examen"},
    )
    return f"a clash on {assignment.session}"
