"""Demo convocations and results: the convocations of one coming session (the demo student's,
else the next one with seats; a few PDFs only, they take time to render) shown as sent, and
Pix results for one session already held, with their statistics. Candidates of that session
imported from Pix Orga who never signed in have no email address: their convocations show
« Sans adresse e-mail », to print (and when the session has a seat left, Camille Petit, one more
such student, takes it). Idempotent; no email is sent.
"""

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from candidates.models import AcademicYear, Candidate, CandidateKind
from competences import scoring

from ..models import (
    CertificationResult,
    Convocation,
    ConvocationStatus,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    ResultStatus,
    Session,
    SessionStatus,
)
from ..services import convocations, statistics

MAX_DEMO_PDFS = 6
COMPETENCES = (
    "1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "3.4",
    "4.1", "4.2", "4.3", "5.1", "5.2",
)  # fmt: skip


def _with_seats(queryset):
    return queryset.annotate(
        n=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED))
    ).filter(n__gt=0)


def _convocations(today, now) -> str:
    demo = Registration.objects.filter(
        candidate__user__email="etudiant@demo.pixcentre.fr",
        status=RegistrationStatus.CONFIRMED,
        session__date__gt=today,
    ).first()
    session = (
        demo.session
        if demo
        else _with_seats(
            Session.objects.filter(
                date__gt=today, status__in=[SessionStatus.OPEN, SessionStatus.CLOSED]
            )
        )
        .order_by("date", "start_time")
        .first()
    )
    if session is None:
        return "no coming session with seats"
    registrations = list(
        Registration.objects.filter(session=session, status=RegistrationStatus.CONFIRMED)
        .select_related("candidate__user", "session__room")
        .order_by("candidate__birth_name")
    )
    if demo:
        registrations = [demo] + [r for r in registrations if r.pk != demo.pk]
    for registration in registrations[:MAX_DEMO_PDFS]:
        convocation = convocations.generate_convocation(registration, now=now)
        if convocation.sent_at is None and convocations.recipient(registration):
            Convocation.objects.filter(pk=convocation.pk).update(
                status=ConvocationStatus.SENT, sent_at=now, attempts=1
            )
        elif convocation.sent_at is None:
            Convocation.objects.filter(pk=convocation.pk).update(
                status=ConvocationStatus.NO_ADDRESS
            )
    _unreachable_candidate(session, now)  # when the session has a seat left
    no_address = Convocation.objects.filter(
        registration__session=session, status=ConvocationStatus.NO_ADDRESS
    ).count()
    return (
        f"{min(len(registrations), MAX_DEMO_PDFS)} of {len(registrations)} for {session}, "
        f"{no_address} without an email address (to print)"
    )


# Imported from Pix Orga, never signed in, no convocation address: the convened session shows
# « Sans adresse e-mail » with its reason, and the administrator prints her convocation.
UNREACHABLE = {
    "external_id": "21990042",
    "birth_name": "PETIT",
    "first_name": "Camille",
    "sex": "F",
    "birth_date": dt.date(2003, 2, 11),
    "birth_insee_code": "84007",
}


def _unreachable_candidate(session, now) -> Registration | None:
    candidate, _created = Candidate.objects.get_or_create(
        external_id=UNREACHABLE["external_id"],
        defaults={
            **UNREACHABLE,
            "kind": CandidateKind.STUDENT,
            "birth_country": "France",
            "study_year": "L3",
            "programme": "Licence Informatique",
        },
    )
    registration = Registration.objects.filter(
        candidate=candidate, academic_year_id=session.academic_year_id
    ).first()
    if registration is None:
        if session.seats_left <= 0:
            return None
        registration = Registration.objects.create(
            candidate=candidate,
            session=session,
            academic_year_id=session.academic_year_id,
            status=RegistrationStatus.CONFIRMED,
            source=RegistrationSource.OVERRIDE,
            created_at=now,
            confirmed_at=now,
        )
    if registration.status != RegistrationStatus.CONFIRMED:
        return None
    convocation = convocations.generate_convocation(registration, now=now)
    if convocation.sent_at is None:
        Convocation.objects.filter(pk=convocation.pk).update(status=ConvocationStatus.NO_ADDRESS)
    return registration


def _level_near(rng, level: float) -> int:
    return max(0, min(6, round(level + rng.uniform(-1.5, 1.0))))


def _results(today, now, rng) -> str:
    session = (
        _with_seats(Session.objects.filter(date__lt=today, status=SessionStatus.HELD))
        .order_by("-date", "-start_time")
        .first()
    )
    if session is None:
        return "no held session"
    number = session.pix_session_number or f"{31000 + session.pk}"
    if not session.pix_session_number:
        Session.objects.filter(pk=session.pk).update(pix_session_number=number)
    registrations = Registration.objects.filter(
        session=session, status=RegistrationStatus.CONFIRMED
    ).select_related("candidate")
    created = 0
    for i, registration in enumerate(registrations.order_by("pk")):
        if CertificationResult.objects.filter(registration=registration).exists():
            continue
        average = float(registration.candidate.average_level or rng.uniform(2, 4.5))
        if i % 9 == 4:
            status, levels, score = ResultStatus.REJECTED, dict.fromkeys(COMPETENCES, 0), 0
        elif i % 13 == 7:
            status, levels, score = ResultStatus.CANCELLED, dict.fromkeys(COMPETENCES), None
        else:
            levels = {code: _level_near(rng, average) for code in COMPETENCES}
            status = ResultStatus.VALIDATED
            score = min(
                scoring.max_score(6),
                sum(scoring.pix_for_level(v) for v in levels.values()) + rng.randrange(0, 8),
            )
        CertificationResult.objects.create(
            registration=registration,
            certification_number=f"9{session.pk:04d}{registration.pk:05d}",
            status=status,
            score=score,
            competence_levels=levels,
            complementary={},
            pix_session_number=number,
            taken_on=session.date,
            imported_at=now,
            notified_at=now,
        )
        created += 1
    year = AcademicYear.objects.filter(pk=session.academic_year_id).first()
    if created or not statistics.latest(year.pk if year else None):
        statistics.refresh(year.pk if year else None, now=now)
    return f"{registrations.count()} results for {session} ({created} new)"


def seed(*, rng, stdout):
    today = timezone.localdate()
    now = timezone.now() - dt.timedelta(minutes=5)
    stdout.write(
        f"Convocations: {_convocations(today, now)}. Results: {_results(today, now, rng)}."
    )
