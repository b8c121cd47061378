"""Demo: a full session with candidates waiting, next to a session with free seats, so that
the administrator's home offers to move the waitlist there; and two seated candidates whom
Pix would refuse or who have no email address (imported from Pix Orga, never signed in)."""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from candidates.models import AcademicYear, Candidate, CandidateKind

from ..models import Audience, Registration, RegistrationSource, RegistrationStatus, Room, Session

# (birth name, first name, student number): the waitlisted students (imported, identity done)
WAITING = [
    ("BENALI", "Yanis", "21959001"),
    ("BOYER", "Inès", "21959002"),
    ("LEFÈVRE", "Anaïs", "21959003"),
]
SEATED = [
    ("MOREAU", "Lucas", "21959004"),
    ("GIRARD", "Chloé", "21959005"),
    ("ROUSSEL", "Théo", "21959006"),
]


def _candidate(birth, first, number, *, complete=True, email=True):
    candidate, _created = Candidate.objects.get_or_create(
        external_id=number,
        defaults={
            "kind": CandidateKind.STUDENT,
            "birth_name": birth,
            "first_name": first,
            "study_year": "L3",
            "convocation_email": (
                f"{first.lower()}.{birth.lower()}@etu.demo.pixcentre.fr" if email else ""
            ),
            **(
                {"sex": "F", "birth_date": dt.date(2004, 3, 12), "birth_insee_code": "84007"}
                if complete
                else {}
            ),
        },
    )
    return candidate


def seed(*, rng, stdout):
    today = timezone.localdate()
    year = AcademicYear.current(today)
    room = Room.objects.order_by("site", "name").first()
    admin = User.objects.filter(email="gestionnaire@demo.pixcentre.fr").first()
    if year is None or room is None:
        return
    day = today + dt.timedelta(days=16)
    full, _created = Session.objects.get_or_create(
        room=room,
        date=day,
        start_time=dt.time(16, 30),
        defaults={
            "academic_year": year,
            "capacity": len(SEATED),
            "audience": Audience.STUDENTS,
            "status": "open",
            "created_by": admin,
        },
    )
    free, _created = Session.objects.get_or_create(
        room=room,
        date=day + dt.timedelta(days=1),
        start_time=dt.time(16, 30),
        defaults={
            "academic_year": year,
            "capacity": 12,
            "audience": Audience.STUDENTS,
            "status": "open",
            "created_by": admin,
        },
    )
    seated = [_candidate(*SEATED[0]), _candidate(*SEATED[1], email=False)]
    seated.append(_candidate(*SEATED[2], complete=False))  # Pix would refuse: no birth date
    waiting = [_candidate(*row) for row in WAITING]
    now = timezone.now()
    for order, candidate in enumerate([None, *waiting]):
        if candidate is None:
            continue
        if not Registration.objects.filter(candidate=candidate, academic_year=year).exists():
            Registration.objects.create(
                candidate=candidate, session=full, academic_year=year,
                status=RegistrationStatus.WAITLISTED, waitlist_order=order,
                source=RegistrationSource.FIRST_COME, created_at=now,
            )  # fmt: skip
    for candidate in seated:
        if not Registration.objects.filter(candidate=candidate, academic_year=year).exists():
            Registration.objects.create(
                candidate=candidate, session=full, academic_year=year,
                status=RegistrationStatus.CONFIRMED, source=RegistrationSource.OVERRIDE,
                created_at=now, confirmed_at=now, created_by=admin,
            )  # fmt: skip
    stdout.write(
        f"Waitlist: {full} full with {len(waiting)} waiting, {free} has free seats "
        "(the administrator's home offers to move them)."
    )
