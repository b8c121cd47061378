"""Pix Certif exports of our sessions: builds the plain records of ``pix_certif`` from models.

``pix_certif`` writes the files and knows Pix's rules; this module only says what our sessions
and registrations are in Pix's words (pricing, extra time, complementary certification).
"""

import dataclasses
import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.audit import record
from accounts.audit_actions import AuditAction

from ..models import (
    Complementary,
    ExportedCandidate,
    Registration,
    RegistrationStatus,
    Session,
    habilitated_labels,
)
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
    session: Session | None  # None: a problem of the whole file
    registration: Registration | None  # None: a problem of the session itself
    field: str
    message: str

    @property
    def who(self) -> str:
        if self.registration:
            return str(self.registration.candidate)
        return str(self.session) if self.session else ""


@dataclasses.dataclass
class Export:
    items: list[tuple[Session, list[Registration], pix_certif.CertifSession, list]]
    problems: list[Problem]
    complementary_labels: tuple[str, ...] = pix_certif.COMPLEMENTARY_LABELS


def prepare(sessions, *, invigilators=None, today: dt.date | None = None) -> Export:
    """Records for each session's confirmed candidates, and everything Pix would refuse: the
    candidates' and sessions' problems, a session in the past, a file without any candidate.
    The complementary columns are the centre's habilitations."""
    today = today or timezone.localdate()
    labels = habilitated_labels()
    items = []
    problems = []
    for session in sessions:
        registrations = confirmed_registrations(session)
        cs = certif_session(session, invigilators=invigilators)
        candidates = [certif_candidate(r) for r in registrations]
        for index, field, message in pix_certif.export_problems(
            cs, candidates, complementary_labels=labels, today=today
        ):
            reg = registrations[index] if index != pix_certif.SESSION_INDEX else None
            problems.append(Problem(session, reg, field, message))
        items.append((session, registrations, cs, candidates))
    for message in pix_certif.file_problems([(cs, cands) for _s, _r, cs, cands in items]):
        problems.append(Problem(None, None, "", message))
    return Export(items=items, problems=problems, complementary_labels=labels)


def mass_import_csv(export: Export) -> bytes:
    return pix_certif.mass_import_csv(
        [(cs, cands) for _s, _r, cs, cands in export.items], export.complementary_labels
    )


def candidate_list_ods(export: Export) -> bytes:
    """The ODS of one session (Pix takes one candidate list per session)."""
    if len(export.items) != 1:
        raise ValueError("The candidate list ODS is one session's.")
    _s, _r, cs, candidates = export.items[0]
    return pix_certif.candidate_list_ods(cs, candidates, export.complementary_labels)


@transaction.atomic(durable=True)
def record_export(export: Export, fmt: str, *, acting_user, now=None) -> list[ExportedCandidate]:
    """Keep who went out to Pix Certif, as they went out (billing mode, prepaid code,
    complementary certification): the reconciliation with Pix compares it with what came back.
    One audit row per session."""
    now = now or timezone.now()
    actor = acting_user if acting_user and acting_user.is_authenticated else None
    rows = []
    for session, registrations, _cs, candidates in export.items:
        for registration, c in zip(registrations, candidates, strict=True):
            rows.append(
                ExportedCandidate(
                    registration=registration,
                    exported_at=now,
                    exported_by=actor,
                    file_format=fmt,
                    pricing=c.pricing,
                    prepaid_code=c.prepaid_code,
                    complementary=c.complementary,
                )
            )
        record(
            AuditAction.PIX_CERTIF_EXPORTED,
            actor=actor,
            obj=session,
            session_id=session.pk,
            after={"format": fmt, "candidates": len(candidates)},
            summary=str(session),
            now=now,
        )
    return ExportedCandidate.objects.bulk_create(rows)


def filename(sessions, fmt: str) -> str:
    if fmt == ODS:
        s = sessions[0]
        return f"liste-candidats-{s.date:%Y%m%d}-{s.start_time:%H%M}-{s.pk}.ods"
    return f"import-sessions-pix-certif-{'-'.join(str(s.pk) for s in sessions)}.csv"
