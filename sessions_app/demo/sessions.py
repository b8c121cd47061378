"""Demo sessions: two academic years (``candidates.demo.academic_years``), five rooms on two
sites, the season's semester of sessions, a campaign already allocated, and seats for the demo
accounts. Idempotent.

Seats are taken through the services (applications, allocation, booking, override), so the
demo shows what the centre would really see. ``seed_demo`` runs every app's seed in one
transaction, so the services' durable entry points are called through ``__wrapped__`` (the
same function without its ``atomic(durable=True)`` wrapper); no email is sent.
"""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from candidates.demo import academic_years, season_day
from candidates.models import AcademicYear, Candidate, CandidateKind

from .. import services
from ..models import (
    PARIS,
    Audience,
    Campaign,
    Habilitation,
    Registration,
    RegistrationStatus,
    Room,
    Session,
    SessionStatus,
)
from ..services import campaigns

ROOMS = [
    ("Campus Hannah Arendt", "Salle informatique 0E07", "74 rue Louis Pasteur, Avignon", 24, True),
    ("Campus Hannah Arendt", "Salle 2E08", "74 rue Louis Pasteur, Avignon", 20, True),
    ("Campus Hannah Arendt", "Salle S3", "74 rue Louis Pasteur, Avignon", 16, False),
    ("Campus Jean-Henri Fabre", "Salle AT06", "301 rue Baruch de Spinoza, Avignon", 24, True),
    ("Campus Jean-Henri Fabre", "Salle AT07", "301 rue Baruch de Spinoza, Avignon", 20, True),
]
# Thursday afternoon sessions rotate through these audiences (Tuesdays are for students).
THURSDAY_AUDIENCES = [Audience.STUDENTS, Audience.EXTERNAL, Audience.STUDENTS, Audience.STAFF,
                      Audience.MIXED]  # fmt: skip
MAX_APPLICANTS = 300


def _call(service, *args, **kwargs):
    return getattr(service, "__wrapped__", service)(*args, **kwargs)


# The demo centre's habilitations (Avignon trains teachers and lawyers): its Pix Certif files
# carry these four columns.
DEMO_HABILITATIONS = ["clea", "droit", "edu2", "educpe"]


def _habilitations(admin):
    if admin is None or Habilitation.objects.exists():
        return  # already set (or edited since): leave them alone
    _call(services.set_habilitations, DEMO_HABILITATIONS, acting_user=admin)


def _semester(year: AcademicYear, today: dt.date) -> tuple[str, dt.date, dt.date]:
    """The semester the demo shows: autumn from September, spring from January (the autumn's
    last sessions leave the demo accounts nothing to come by then; the centre prepares the
    spring's). ``season_day`` gives July and August to the coming autumn."""
    first = year.start_date.year
    if today.month >= 9 or today < year.start_date:
        return "automne", dt.date(first, 9, 15), dt.date(first + 1, 1, 31)
    return "printemps", dt.date(first + 1, 2, 1), dt.date(first + 1, 6, 30)


def _sessions(year, rooms, start, end, admin):
    sessions = []
    day = start + dt.timedelta(days=(1 - start.weekday()) % 7)  # first Tuesday
    week = 0
    while day <= end:
        plan = [
            (day, dt.time(9, 0), rooms[week % 2 * 3], Audience.STUDENTS),
            (
                day + dt.timedelta(days=2),
                dt.time(14, 0),
                rooms[1 + week % 2 * 3],
                THURSDAY_AUDIENCES[week % len(THURSDAY_AUDIENCES)],
            ),
        ]
        for date, time, room, audience in plan:
            if not (year.start_date <= date <= year.end_date):
                continue
            session, _created = Session.objects.get_or_create(
                room=room,
                date=date,
                start_time=time,
                defaults={
                    "academic_year": year,
                    "capacity": min(20, room.capacity),
                    "audience": audience,
                    "complementary": ["droit", "educpe"] if week % 3 == 0 else [],
                    "status": SessionStatus.OPEN,
                    "created_by": admin,
                },
            )
            sessions.append(session)
        day += dt.timedelta(days=7)
        week += 1
    return sessions


def _eligible(candidate, year) -> bool:
    return not services.eligibility_problems(candidate, year=year)


def _has_seat(candidate, year) -> bool:
    return Registration.objects.filter(
        candidate=candidate, academic_year=year, status=RegistrationStatus.CONFIRMED
    ).exists()


def _run_campaign(campaign, sessions, year, admin, rng, demo_student, today):
    """Applications from the existing certifiable students, then the allocation."""
    applicants = [
        c
        for c in Candidate.objects.filter(kind=CandidateKind.STUDENT, is_certifiable=True)
        .exclude(pk=getattr(demo_student, "pk", None))
        .order_by("pk")[:MAX_APPLICANTS]
        if _eligible(c, year)
    ]
    window = (campaign.closes_at - campaign.opens_at).total_seconds() // 60
    # The first upcoming sessions are popular, so that the demo shows a waitlist.
    future = [s for s in sessions if s.date > today + dt.timedelta(days=7)]
    popular = future[:3] if len(future) >= 3 else sessions
    for candidate in applicants:
        pool = popular if rng.random() < 0.6 else sessions
        wishes = rng.sample(pool, k=min(3, len(pool)))
        _call(
            services.apply_for_campaign,
            campaign,
            candidate,
            [s.pk for s in wishes],
            acting_user=admin,
            now=campaign.opens_at + dt.timedelta(minutes=rng.randrange(int(window))),
        )
    # Her wishes: the first coming sessions, or at the semester's end the semester's first ones.
    mine = future[:3] or sessions[:3]
    if demo_student and _eligible(demo_student, year) and mine:
        _call(
            services.apply_for_campaign,
            campaign,
            demo_student,
            [s.pk for s in mine],
            acting_user=admin,
            now=campaign.opens_at + dt.timedelta(hours=2),
        )
    return _call(
        campaigns._allocate,
        campaign,
        acting_user=admin,
        now=campaign.closes_at + dt.timedelta(hours=1),
    )


def _seat_for(candidate, sessions, year, admin, *, book=False):
    """A confirmed seat for a demo account, in the first future session with room."""
    if candidate is None or _has_seat(candidate, year):
        return
    for session in sessions:
        try:
            if book and _eligible(candidate, year):
                _call(services.book_external, session, candidate, acting_user=admin)
            else:
                _call(services.override_seat, session, candidate, acting_user=admin)
            return
        except services.SessionError:
            continue


def seed(*, rng, stdout):
    today = timezone.localdate()
    for label, start, end in academic_years(today):
        AcademicYear.objects.get_or_create(
            label=label, defaults={"start_date": start, "end_date": end, "student_quota": 400}
        )
    year = AcademicYear.current(season_day(today))
    admin = User.objects.filter(email="gestionnaire@demo.pixcentre.fr").first()
    rooms = []
    for site, name, address, capacity, accessible in ROOMS:
        room, _created = Room.objects.get_or_create(
            site=site,
            name=name,
            defaults={"address": address, "capacity": capacity, "accessible": accessible},
        )
        rooms.append(room)
    name, start, end = _semester(year, today)
    _habilitations(admin)
    sessions = _sessions(year, rooms, start, end, admin)
    student_sessions = [s for s in sessions if s.audience == Audience.STUDENTS]

    demo_student = Candidate.objects.filter(user__email="etudiant@demo.pixcentre.fr").first()
    external = Candidate.objects.filter(user__email="externe@demo.pixcentre.fr").first()
    with services.emails_suppressed():
        # Three weeks before the semester, closed a week before it, and in any case closed
        # (and allocated) by yesterday: the demo shows the allocation done.
        closes = min(start - dt.timedelta(days=7), today - dt.timedelta(days=1))
        opens = min(start - dt.timedelta(days=21), closes - dt.timedelta(days=14))
        campaign, created = Campaign.objects.get_or_create(
            academic_year=year,
            name=f"Campagne {name} {year}",
            defaults={
                "opens_at": dt.datetime.combine(opens, dt.time(9), PARIS),
                "closes_at": dt.datetime.combine(closes, dt.time(18), PARIS),
                "created_by": admin,
            },
        )
        if created:
            campaign.sessions.set(student_sessions)
        if campaign.allocated_at is None:
            _run_campaign(campaign, student_sessions, year, admin, rng, demo_student, today)
        upcoming = [s for s in student_sessions if s.date > today + dt.timedelta(days=7)]
        _seat_for(demo_student, upcoming, year, admin)
        externals = [
            s for s in sessions if s.audience == Audience.EXTERNAL and s.date > today
        ]  # fmt: skip
        _seat_for(external, externals, year, admin, book=True)
    # Sessions already past have been held.
    Session.objects.filter(academic_year=year, date__lt=today, status=SessionStatus.OPEN).update(
        status=SessionStatus.HELD
    )
    stdout.write(
        f"Sessions: {Room.objects.count()} rooms, {len(sessions)} sessions this semester, "
        f"{Registration.objects.filter(academic_year=year, status='confirmed').count()} seats "
        f"confirmed in {year}."
    )
