"""Pix Certif exports of our sessions: builds the plain records of ``pix_certif`` from models.

``pix_certif`` writes the files and knows Pix's rules; this module only says what our sessions
and registrations are in Pix's words (pricing, extra time, complementary certification).
"""

import dataclasses
import datetime as dt

from django.conf import settings

from ..models import Complementary, Registration, RegistrationStatus, Session
from ..pix import certif as pix_certif

CSV = "csv"
ODS = "ods"


def invigilators_of(session: Session) -> list[str]:
    """Names of the session's invigilators. Assignments arrive with the invigilators issue;
    until then an export without a Pix session number needs names given by the caller."""
    assignments = getattr(session, "assignments", None)
    if assignments is None:
        return []
    names = []
    for a in assignments.all():
        user = getattr(a, "invigilator", None) or getattr(a, "user", None)
        if user is not None:
            names.append(user.get_full_name() or user.email)
    return names


def certif_session(session: Session, *, invigilators: list[str] | None = None):
    return pix_certif.CertifSession(
        site=session.room.site,
        room=session.room.name,
        date=session.date,
        time=session.start_time,
        invigilators=invigilators_of(session) or list(invigilators or []),
        existing_number=session.pix_session_number,
    )


def certif_candidate(registration: Registration) -> pix_certif.CertifCandidate:
    c = registration.candidate
    return pix_certif.CertifCandidate(
        birth_name=c.birth_name,
        first_name=c.first_name,
        birth_date=c.birth_date,
        sex=c.sex,
        insee_code=c.birth_insee_code,
        postal_code=c.birth_postal_code,
        city=c.birth_city,
        country=c.birth_country,
        # Results go to the centre, which imports them (formats README §3).
        result_email=settings.PIX_CENTRE_CONTACT_EMAIL,
        convocation_email=c.convocation_email or (c.user.email if c.user_id else ""),
        external_id=c.external_id,
        extra_time_percent=c.extra_time_percent,
        pricing=registration.pricing,
        prepaid_code=registration.prepaid_code,
        complementary=(
            Complementary(registration.complementary).label if registration.complementary else ""
        ),
    )


def confirmed_registrations(session: Session) -> list[Registration]:
    return list(
        session.registrations.filter(status=RegistrationStatus.CONFIRMED)
        .select_related("candidate__user")
        .order_by("candidate__birth_name", "candidate__first_name", "pk")
    )


@dataclasses.dataclass
class Problem:
    session: Session
    registration: Registration | None  # None: a problem of the session itself
    field: str
    message: str

    @property
    def who(self) -> str:
        return str(self.registration.candidate) if self.registration else str(self.session)


@dataclasses.dataclass
class Export:
    items: list[tuple[Session, list[Registration], pix_certif.CertifSession, list]]
    problems: list[Problem]


def prepare(sessions, *, invigilators=None, today: dt.date | None = None) -> Export:
    """Records for each session's confirmed candidates, and everything Pix would refuse."""
    items = []
    problems = []
    for session in sessions:
        registrations = confirmed_registrations(session)
        cs = certif_session(session, invigilators=invigilators)
        candidates = [certif_candidate(r) for r in registrations]
        for index, field, message in pix_certif.export_problems(cs, candidates, today=today):
            reg = registrations[index] if index != pix_certif.SESSION_INDEX else None
            problems.append(Problem(session, reg, field, message))
        items.append((session, registrations, cs, candidates))
    return Export(items=items, problems=problems)


def mass_import_csv(export: Export) -> bytes:
    return pix_certif.mass_import_csv([(cs, cands) for _s, _r, cs, cands in export.items])


def candidate_list_ods(export: Export) -> bytes:
    """The ODS of one session (Pix takes one candidate list per session)."""
    if len(export.items) != 1:
        raise ValueError("The candidate list ODS is one session's.")
    _s, _r, cs, candidates = export.items[0]
    return pix_certif.candidate_list_ods(cs, candidates)


def filename(sessions, fmt: str) -> str:
    if fmt == ODS:
        s = sessions[0]
        return f"liste-candidats-{s.date:%Y%m%d}-{s.start_time:%H%M}-{s.pk}.ods"
    return f"import-sessions-pix-certif-{'-'.join(str(s.pk) for s in sessions)}.csv"
