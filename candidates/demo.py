"""Demo candidates: the demo accounts' records and ~200 believable candidates of every kind.

Students arrive as Pix Orga does it: a profile-collection export is generated and imported
through the real import service (so re-running changes nothing), then preparation units, then
scores and tiers are computed in-process (later apps' demos read them). The demo student
(etudiant@demo.pixcentre.fr, L3) has a strong profile and both units: priority 1.
"""

import datetime as dt
import random

from accounts.models import User

from . import services
from .models import AcademicYear, Candidate, CandidateKind, ImportStatus, ProfileImport
from .pix.profiles import PARIS, default_competences
from .pix.profiles_writer import write_profiles_export
from .unit_files import write_unit_enrolments

DEMO_CANDIDATES = [
    ("etudiant@demo.pixcentre.fr", CandidateKind.STUDENT, "MARTIN", "Léa", "21950001"),
    ("personnel@demo.pixcentre.fr", CandidateKind.STAFF, "BERNARD", "Marc", ""),
    ("externe@demo.pixcentre.fr", CandidateKind.EXTERNAL, "DURAND", "Sophie", ""),
]
LAST_NAMES = [
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Muller", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier",
    "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Da Silva", "Nguyen", "Benali",
]  # fmt: skip
FIRST_NAMES = [
    "Léa", "Emma", "Chloé", "Inès", "Manon", "Jade", "Louise", "Zoé", "Camille", "Lina", "Sarah",
    "Hugo", "Lucas", "Louis", "Nathan", "Enzo", "Jules", "Adam", "Théo", "Rayan", "Yanis", "Noah",
]  # fmt: skip
GROUPS = [
    ("L1", "Droit"), ("L1", "Informatique"), ("L2", "AES"), ("L2", "Géographie"),
    ("L3", "Informatique"), ("L3", "Lettres modernes"), ("L3", "Sciences de la vie"),
    ("M1", "MEEF"), ("M1", "Informatique"), ("M2", "Géographie"), ("M2", "Droit des affaires"),
]  # fmt: skip
INSEE = ["84007", "13055", "30189", "84031", "26362", "69123", "75056"]
STUDENTS = 170
STAFF = 15
EXTERNALS = 15
CAMPAIGN_SENT = dt.datetime(2025, 11, 14, 10, 32, tzinfo=PARIS)
DEMO_NOW = dt.datetime(2025, 11, 20, 9, 15, tzinfo=PARIS)


def season_day(today: dt.date) -> dt.date:
    """The day whose academic year and semester the demo shows: today, except in July and
    August, when the spring's sessions are all past and the centre prepares the autumn's:
    1 September."""
    return dt.date(today.year, 9, 1) if today.month in (7, 8) else today


def academic_years(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """The demo's academic years, (label, start, end): the one before the season's and the
    season's (September to August), so that the demo shows a current semester whatever the
    date."""
    day = season_day(today)
    first = day.year if day.month >= 9 else day.year - 1
    return [(f"{y}-{y + 1}", dt.date(y, 9, 1), dt.date(y + 1, 8, 31)) for y in (first - 1, first)]


def _pix_profile(rng, strength: float, codes) -> dict:
    """Pix per competence around a strength (0 weak … 1 strong), capped at level 6."""
    base = 6 + strength * 38
    return {c: max(0, min(48, round(rng.gauss(base, 7)))) for c in codes}


def _identity(n):
    """Deterministic (no random draw), so that a second run draws the same numbers."""
    return {
        "sex": "MF"[n % 2],
        "birth_date": dt.date(1990 + n % 16, 1 + n % 12, 1 + n % 28),
        "birth_country": "France",
        "birth_insee_code": INSEE[n % len(INSEE)],
    }


def seed(*, rng, stdout):
    local = random.Random(rng.randrange(2**32))
    for email, kind, birth_name, first_name, external_id in DEMO_CANDIDATES:
        user = User.objects.get(email=email)
        candidate, _created = Candidate.objects.update_or_create(
            user=user,
            defaults={
                "kind": kind,
                "birth_name": birth_name,
                "first_name": first_name,
                "external_id": external_id,
            },
        )
        if not candidate.birth_date:
            for field, value in _identity(candidate.pk).items():
                setattr(candidate, field, value)
            candidate.save()
    codes = [code for code, _title in default_competences()]

    # Students: one Pix Orga export, imported through the real service.
    participants = [
        {
            "last_name": "MARTIN",
            "first_name": "Léa",
            "student_number": "21950001",
            "group": "L3 Informatique",
            "sent_at": CAMPAIGN_SENT,
            # Strong and even: levels 5 and 6 everywhere (average above 5).
            "pix": {c: local.randint(41, 48) for c in codes},
        }
    ]
    for n in range(1, STUDENTS):
        year, programme = local.choice(GROUPS)
        strength = local.betavariate(2.5, 2.0) + (0.3 if year in ("L3", "M1", "M2") else 0)
        participants.append(
            {
                "last_name": local.choice(LAST_NAMES),
                "first_name": local.choice(FIRST_NAMES),
                "student_number": f"2190{n:04d}",
                "group": f"{year} {programme}",
                "sent_at": CAMPAIGN_SENT,
                "pix": None if n % 17 == 0 else _pix_profile(local, min(strength, 1), codes),
            }
        )
    export = write_profiles_export(participants, campaign_name="Collecte profils 2025-2026")
    file_name = "Resultats-Collecte profils 2025-2026-48213-demo.csv"
    # Imported once: a second import would change nothing but add a line to the history.
    result = ProfileImport.objects.filter(file_name=file_name, status=ImportStatus.DONE).first()
    if result is None:
        result = services.import_profiles(export, file_name=file_name, now=DEMO_NOW)
    new_profiles = result.created_count
    Candidate.objects.filter(user__email="etudiant@demo.pixcentre.fr").update(study_year="L3")
    for c in Candidate.objects.filter(external_id__startswith="2190", birth_date__isnull=True):
        for field, value in _identity(c.pk).items():
            setattr(c, field, value)
        c.save(update_fields=list(_identity(c.pk)))

    # Staff and external candidates, without Pix Orga profiles.
    for kind, count in ((CandidateKind.STAFF, STAFF), (CandidateKind.EXTERNAL, EXTERNALS)):
        for n in range(count):
            Candidate.objects.get_or_create(
                kind=kind,
                birth_name=LAST_NAMES[(n * 7 + len(kind)) % len(LAST_NAMES)].upper(),
                first_name=FIRST_NAMES[(n * 5 + len(kind)) % len(FIRST_NAMES)],
                defaults={**_identity(n + 500), "user": None},
            )

    # Preparation units of the odd semester: half the students, the demo student
    # with both units completed.
    year, _created = AcademicYear.objects.get_or_create(
        label="2025-2026",
        defaults={
            "start_date": dt.date(2025, 9, 1),
            "end_date": dt.date(2026, 8, 31),
            "student_quota": 400,
        },
    )
    rows = [("21950001", "Pix1", 7), ("21950001", "Pix2", 7)]
    for n in range(1, STUDENTS, 2):
        number = f"2190{n:04d}"
        rows.append((number, "Pix1", local.choice([7, 7, 7, 5, 3])))
        if n % 3:
            rows.append((number, "Pix2", local.choice([7, 7, 7, 6, 2])))
    units = services.import_unit_enrolments(
        write_unit_enrolments(rows), academic_year=year, semester=1, now=DEMO_NOW
    )
    _seed_linking(now=DEMO_NOW)
    services.compute_scores(now=DEMO_NOW)
    tiers = {t: Candidate.objects.filter(priority_tier=t).count() for t in (1, 2, 3)}
    stdout.write(
        f"Candidates: {Candidate.objects.count()} ({new_profiles} profiles imported, "
        f"{units.created} new unit enrolments); tiers 1/2/3: {tiers[1]}/{tiers[2]}/{tiers[3]}."
    )


def _seed_linking(*, now) -> None:
    """Accounts tied to records: three imported students invited by email (links sent, not yet
    followed) and one disagreement with the university's directory to check. The demo runs
    without CAS: these are what the roster upload and a university sign-in leave behind."""
    import secrets

    from django.utils import timezone

    from .models import DiscrepancyField, IdentityDiscrepancy, Invitation, StudyYearSource

    admin = User.objects.filter(email="gestionnaire@demo.pixcentre.fr").first()
    for number in ("21900002", "21900004", "21900006"):
        candidate = Candidate.objects.filter(external_id=number, user__isnull=True).first()
        if candidate is None or candidate.invitations.exists():
            continue
        Invitation.objects.create(
            candidate=candidate,
            email=f"{candidate.first_name.lower()}.{number}@etu.demo.pixcentre.fr",
            nonce=secrets.token_urlsafe(16)[:32],
            created_at=now,
            created_by=admin,
            sent_at=now,
            # Still open whenever the demo is looked at.
            expires_at=max(now, timezone.now()) + dt.timedelta(days=14),
        )
    candidate = Candidate.objects.filter(external_id="21900008").first()
    if candidate is not None and not candidate.discrepancies.exists():
        IdentityDiscrepancy.objects.create(
            candidate=candidate,
            field=DiscrepancyField.STUDY_YEAR,
            recorded_value=candidate.study_year or "L2",
            reported_value="M1",
            source=StudyYearSource.DIRECTORY,
            detected_at=now,
        )
