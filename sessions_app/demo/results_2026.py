"""Demo of a 2026 results import: a session held three weeks ago under Pix number 40150, with
core Pix, CléA, Pix+ Droit and Pix+ Édu candidates, and the results file Pix writes since spring
2026 for it (``Type de certification``, ``Niveau`` labels, a started row, an empty Pix+ score)
imported through the importer, so the upload page lists an accepted 2026 import and the
statistics show Pix's levels. Idempotent: the file is imported once; no email is sent.
"""

import datetime as dt

from django.utils import timezone

from candidates.models import AcademicYear, Candidate, CandidateKind, StudyYear

from ..models import (
    CertificationResult,
    Complementary,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    ResultsImport,
    Room,
    Session,
    SessionStatus,
)
from ..pix import results as pix_results
from ..services import results
from ..services.sessions import _overlaps

PIX_NUMBER = "40150"
EXTERNAL_PREFIX = "2299"
COMPETENCE_DASHES = ["-"] * 16
# (first name, birth name, Type de certification, complementary code, status, CléA, Droit, Édu,
#  Niveau, score, competence levels or None)
PEOPLE = [
    ("Maëlle", "FAURE", "Pix", "", "Validée", "Non passée", "Non passée", "Non passée",
     "Expert 1", "812", [7, 6, 7, 5, 6, 6, 7, 3, 5, 4, 3, 5, 4, 3, 3, 3]),
    ("Bastien", "ROCHE", "Pix", "", "Validée", "Non passée", "Non passée", "Non passée",
     "Indépendant 2", "430", [4, 3, 4, 3, 3, 4, 3, 3, 2, 3, 3, 3, 3, 2, 3, 3]),
    ("Anaïs", "PERRIN", "CléA Numérique by Pix", Complementary.CLEA, "Validée", "Validée",
     "Non passée", "Non passée", "Indépendant 1", "300",
     [3, 2, 2, 2, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]),
    ("Kylian", "MARCHAND", "Pix", "", "Non obtenue", "Non passée", "Non passée", "Non passée",
     "-", "0", None),
    ("Romane", "GIRAUD", "Pix+ Droit", Complementary.DROIT, "Validée", "Non passée", "Validée",
     "Non passée", "Avancé", "", None),
    ("Nolan", "BRUNET", "Pix+ Droit", Complementary.DROIT, "Non obtenue", "Non passée",
     "Non obtenue", "Non passée", "Non obtenue", "", None),
    ("Capucine", "ARNAUD", "Pix+ Édu 2nd degré", Complementary.EDU_2, "Validée", "Non passée",
     "Non passée", "Validée", "Admissible", "", None),
    ("Timéo", "COLIN", "Pix", "", "Démarrée", "Non passée", "Non passée", "Non passée",
     "-", "", None),
]  # fmt: skip
HEADER = (
    "Numéro de certification;Prénom;Nom;Date de naissance;Lieu de naissance;Identifiant Externe;"
    "Type de certification;Statut;Certification CléA Numérique;Certification Pix+ Droit;"
    "Certification Pix+ Édu 2nd degré;Niveau;Score en Pix;"
    + ";".join(pix_results.COMPETENCE_CODES)
    + ";Commentaire jury pour l’organisation;Session;Centre de certification;"
    "Date de passage de la certification"
)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def results_file(session: Session, candidates: list[Candidate]) -> tuple[str, bytes]:
    """The file Pix would write for this session, named as Pix names it."""
    lines = [HEADER]
    day = session.date.strftime("%d/%m/%Y")
    for n, (person, candidate) in enumerate(zip(PEOPLE, candidates, strict=True)):
        first, _last, kind, _code, status, clea, droit, edu, level, score, levels = person
        cells = [
            f"95{PIX_NUMBER}{n:02d}",
            _quoted(candidate.first_name),
            _quoted(candidate.birth_name.title()),
            _quoted(candidate.birth_date.strftime("%d/%m/%Y")),
            _quoted("AVIGNON"),
            candidate.external_id,
            _quoted(kind),
            _quoted(status),
            _quoted(clea),
            _quoted(droit),
            _quoted(edu),
            level if level == "-" else _quoted(level),
            score,
            *(COMPETENCE_DASHES if levels is None else [str(v) for v in levels]),
            _quoted(""),
            PIX_NUMBER,
            _quoted("Avignon Université"),
            _quoted(day),
        ]
        lines.append(";".join(cells))
    name = f"{session.date:%Y%m%d}_1400_resultats_session_{PIX_NUMBER}.csv"
    return name, ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def _session(today) -> Session | None:
    existing = Session.objects.filter(pix_session_number=PIX_NUMBER).first()
    if existing:
        return existing
    day, start = today - dt.timedelta(days=21), dt.time(14, 0)
    year = AcademicYear.objects.filter(start_date__lte=day, end_date__gte=day).first()
    # The first room free at that hour: the demo's weekly sessions take some rooms on some
    # Thursdays, and a room never holds two sessions at once (the services' own rule).
    room = next(
        (r for r in Room.objects.order_by("site", "name") if _overlaps(r, day, start) is None),
        None,
    )
    if year is None or room is None:
        return None
    return Session.objects.create(
        academic_year=year,
        date=day,
        start_time=start,
        room=room,
        capacity=len(PEOPLE),
        status=SessionStatus.HELD,
        complementary=[Complementary.CLEA, Complementary.DROIT, Complementary.EDU_2],
        pix_session_number=PIX_NUMBER,
    )


def _seats(session: Session, now) -> list[Candidate]:
    candidates = []
    for n, (first, last, _kind, code, *_rest) in enumerate(PEOPLE):
        candidate, _created = Candidate.objects.get_or_create(
            external_id=f"{EXTERNAL_PREFIX}{n:04d}",
            defaults={
                "kind": CandidateKind.STUDENT,
                "birth_name": last,
                "first_name": first,
                "birth_date": dt.date(2002, 1 + n, 10 + n),
                "study_year": StudyYear.M1 if n % 2 else StudyYear.L3,
                "convocation_email": f"resultats2026.{n}@demo.pixcentre.fr",
            },
        )
        Registration.objects.get_or_create(
            candidate=candidate,
            session=session,
            defaults={
                "academic_year": session.academic_year,
                "status": RegistrationStatus.CONFIRMED,
                "source": RegistrationSource.OVERRIDE,
                "complementary": code,
                "created_at": now,
                "confirmed_at": now,
            },
        )
        candidates.append(candidate)
    return candidates


def seed(*, rng, stdout):
    now = timezone.now() - dt.timedelta(minutes=5)
    session = _session(timezone.localdate())
    if session is None:
        stdout.write("2026 results import: no academic year or room for it.")
        return
    candidates = _seats(session, now)
    name, data = results_file(session, candidates)
    if ResultsImport.objects.filter(file_name=name, accepted=True).exists():
        stdout.write(f"2026 results import: « {name} » already imported.")
        return
    # The importer's own steps (seed_demo runs in one transaction: the durable store is called
    # through __wrapped__, as the other demos do with the services).
    parsed = pix_results.parse_results(data)
    matched, problems = results._match(parsed.lines)
    if problems:
        raise RuntimeError(f"the demo's 2026 results file does not match its seats: {problems}")
    record = results._store.__wrapped__(parsed, matched, file_name=name, acting_user=None, now=now)
    # Shown as already told: the demo sends no email.
    CertificationResult.objects.filter(source_import=record).update(notified_at=now)
    stdout.write(
        f"2026 results import: « {name} », {record.line_count} lines "
        f"({', '.join(sorted({line.certification_type for line in parsed.lines}))})."
    )
