"""The day of the session and after: attendance (one by one, everybody present at once, or by
the presence code scanned from a convocation: ``attendance_codes.py``), incidents, finalisation,
attendance sheets.

Public entries are ``transaction.atomic(durable=True)``, take a keyword-only ``acting_user`` and
``now=`` (injected time), write the audit trail (``accounts.audit.record``) and raise
:class:`InvigilationError` with a French message.
"""

import dataclasses
import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.audit_actions import AuditAction
from pixcentre import pdf

from .. import attendance_codes
from ..models import (
    INCIDENT_ORDER,
    AbandonReason,
    Assignment,
    Attendance,
    AttendanceStatus,
    Incident,
    IncidentCode,
    Registration,
    RegistrationStatus,
    Session,
    SessionStatus,
)
from .invigilation.assignments import is_assigned
from .invigilation.common import InvigilationError, _now, _require_administrator
from .invigilation.staffing import session_staffing


def _require_session_staff(user, session: Session):
    """The session's invigilators, or an administrator."""
    if user and user.is_authenticated and user.is_administrator:
        return
    if not (user and user.is_authenticated and user.is_invigilator and is_assigned(user, session)):
        raise InvigilationError(_("Vous ne surveillez pas cette session."))


def _require_day_of(session: Session, now: dt.datetime):
    if session.status in (SessionStatus.CANCELLED, SessionStatus.FINALISED):
        raise InvigilationError(_("Cette session est close : elle ne se modifie plus."))
    if session.date > timezone.localdate(now):
        raise InvigilationError(_("L’appel se fait le jour de la session."))


@transaction.atomic(durable=True)
def mark_attendance(
    registration: Registration,
    *,
    present: bool,
    identity_checked: bool = False,
    acting_user,
    now=None,
) -> Attendance:
    """Present or absent, and whether the identity was checked, for a confirmed candidate."""
    now = _now(now)
    registration = (
        Registration.objects.select_for_update()
        .select_related("session", "candidate")
        .get(pk=registration.pk)
    )
    session = registration.session
    _require_session_staff(acting_user, session)
    _require_day_of(session, now)
    attendance, _changed = _mark(
        registration,
        present=present,
        identity_checked=identity_checked,
        acting_user=acting_user,
        now=now,
    )
    return attendance


def _mark(
    registration: Registration, *, present: bool, identity_checked, acting_user, now
) -> tuple[Attendance, bool]:
    """Write one candidate's attendance (the registration row locked, access checked by the
    caller). ``identity_checked=None`` keeps what was noted. Returns the row and whether it
    changed; an unchanged row writes no audit."""
    if registration.status != RegistrationStatus.CONFIRMED:
        raise InvigilationError(_("Seul un candidat avec une place confirmée est à l’appel."))
    status = AttendanceStatus.PRESENT if present else AttendanceStatus.ABSENT
    attendance = Attendance.objects.filter(registration=registration).first()
    if identity_checked is None:
        identity_checked = bool(attendance and attendance.identity_checked)
    identity_checked = bool(identity_checked and present)
    before = (
        {"status": attendance.status, "identity_checked": attendance.identity_checked}
        if attendance
        else None
    )
    after = {"status": status, "identity_checked": identity_checked}
    if before == after:
        return attendance, False
    if attendance is None:
        attendance = Attendance(registration=registration)
    attendance.status = status
    attendance.identity_checked = identity_checked
    attendance.marked_by = acting_user
    attendance.marked_at = now
    attendance.save()
    record(
        AuditAction.ATTENDANCE_MARKED,
        actor=acting_user,
        obj=attendance,
        candidate_id=registration.candidate_id,
        session_id=registration.session_id,
        before=before,
        after=after,
        summary=f"{registration.candidate} · {attendance.get_status_display()}",
        now=now,
    )
    return attendance, True


@transaction.atomic(durable=True)
def mark_all_present(session: Session, *, acting_user, now=None) -> list[Attendance]:
    """« Tous présents »: every confirmed candidate not called yet is marked present (identity
    not checked); those already marked, absent or present, keep their mark. The session's row
    is locked, so a double tap marks nobody twice. Returns the rows it wrote."""
    now = _now(now)
    session = Session.objects.select_for_update().get(pk=session.pk)
    _require_session_staff(acting_user, session)
    _require_day_of(session, now)
    registrations = (
        Registration.objects.select_for_update(of=("self",))
        .filter(session=session, status=RegistrationStatus.CONFIRMED, attendance__isnull=True)
        .select_related("candidate")
        .order_by("candidate__birth_name", "candidate__first_name", "pk")
    )
    marked = []
    for registration in registrations:
        attendance, changed = _mark(
            registration, present=True, identity_checked=False, acting_user=acting_user, now=now
        )
        if changed:
            marked.append(attendance)
    return marked


def registration_from_code(session: Session, text: str) -> Registration:
    """The registration a scanned address, a token or a typed code stands for, in this session.
    A code that matches nothing, or a forged one, is refused the same way."""
    unknown = InvigilationError(
        _("Code inconnu pour cette session : vérifiez-le ou cherchez le candidat dans la liste.")
    )
    registration_id, code = attendance_codes.read(text)
    if registration_id is None:
        if len(code) != attendance_codes.CODE_LENGTH:
            raise unknown
        ids = Registration.objects.filter(session=session).values_list("pk", flat=True)
        registration_id = next((pk for pk in ids if attendance_codes.matches(pk, code)), None)
        if registration_id is None:
            raise unknown
    elif not attendance_codes.matches(registration_id, code):
        raise unknown
    registration = (
        Registration.objects.select_related("candidate", "session__room")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        raise unknown
    if registration.session_id != session.pk:
        raise InvigilationError(
            _("Cette convocation est celle d’une autre session (%(session)s) : %(candidate)s.")
            % {"session": registration.session, "candidate": registration.candidate}
        )
    return registration


@transaction.atomic(durable=True)
def mark_present_by_code(session: Session, text: str, *, acting_user, now=None) -> Attendance:
    """The invigilator scanned (or typed) the presence code of a convocation: that candidate
    is present. What was noted about their identity is kept."""
    now = _now(now)
    session = Session.objects.get(pk=session.pk)
    # Who may mark is checked before the code is read: nothing is told to anyone else.
    _require_session_staff(acting_user, session)
    _require_day_of(session, now)
    registration = registration_from_code(session, text)
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("candidate")
        .get(pk=registration.pk)
    )
    attendance, _changed = _mark(
        registration, present=True, identity_checked=None, acting_user=acting_user, now=now
    )
    return attendance


def registration_for_token(token: str) -> Registration | None:
    """The registration of a presence address (``<id>-<code>``), if the code is right."""
    registration_id, code = attendance_codes.read(token)
    if registration_id is None or not attendance_codes.matches(registration_id, code):
        return None
    return (
        Registration.objects.select_related("candidate", "session__room")
        .filter(pk=registration_id)
        .first()
    )


def roll_call_counts(session: Session) -> dict:
    """Present, absent and not called yet among the confirmed candidates (one query)."""
    counts = Registration.objects.filter(
        session=session, status=RegistrationStatus.CONFIRMED
    ).aggregate(
        present=Count("pk", filter=Q(attendance__status=AttendanceStatus.PRESENT)),
        absent=Count("pk", filter=Q(attendance__status=AttendanceStatus.ABSENT)),
        unmarked=Count("pk", filter=Q(attendance__isnull=True)),
        total=Count("pk"),
    )
    return counts


E_CODES = {code for code in IncidentCode.values if code.startswith("E")}


@transaction.atomic(durable=True)
def report_incident(
    session: Session,
    *,
    acting_user,
    registration: Registration | None = None,
    code: str = "",
    description: str = "",
    question_number: int | None = None,
    abandon_reason: str = "",
    fraud_report=None,
    now=None,
) -> Incident:
    """Record an incident with Pix Certif's category (and, for an unfinished test, the abandon
    reason), about one candidate of the session or the whole session."""
    now = _now(now)
    session = Session.objects.select_for_update().get(pk=session.pk)
    _require_session_staff(acting_user, session)
    _require_day_of(session, now)
    if code and code not in IncidentCode.values:
        raise InvigilationError(_("Catégorie d’incident inconnue."))
    if abandon_reason and abandon_reason not in AbandonReason.values:
        raise InvigilationError(_("Motif d’abandon inconnu."))
    if not code and not abandon_reason:
        raise InvigilationError(_("Choisissez une catégorie Pix ou un motif d’abandon."))
    if registration is not None and registration.session_id != session.pk:
        raise InvigilationError(_("Ce candidat n’est pas inscrit à cette session."))
    if registration is None and (abandon_reason or code in ("C1", "C2", "C4", "C6", "C8")):
        raise InvigilationError(_("Ce signalement concerne un candidat : choisissez-le."))
    if code in E_CODES and not question_number:
        raise InvigilationError(_("Indiquez le numéro de la question concernée."))
    if fraud_report and code != IncidentCode.C6:
        raise InvigilationError(_("Un rapport de fraude accompagne une suspicion de fraude (C6)."))
    incident = Incident.objects.create(
        session=session,
        registration=registration,
        code=code,
        question_number=question_number if code in E_CODES else None,
        description=description.strip(),
        abandon_reason=abandon_reason,
        reported_by=acting_user,
        reported_at=now,
    )
    if fraud_report:
        incident.fraud_report.save(fraud_report.name, fraud_report, save=True)
    record(
        AuditAction.INCIDENT_REPORTED,
        actor=acting_user,
        obj=incident,
        candidate_id=registration.candidate_id if registration else None,
        session_id=session.pk,
        after={"code": code, "abandon_reason": abandon_reason, "question": question_number},
        summary=description[:200],
        now=now,
    )
    return incident


# --- finalisation -----------------------------------------------------------------------------


@dataclasses.dataclass
class CandidateReport:
    """One line of Pix Certif's finalisation form: a candidate and their incidents."""

    registration: Registration
    attendance: Attendance | None
    incidents: list[Incident]

    @property
    def absent(self) -> bool:
        return self.registration.status == RegistrationStatus.NO_SHOW or (
            self.attendance is not None and self.attendance.status == AttendanceStatus.ABSENT
        )

    @property
    def abandon_reason(self) -> str:
        for incident in self.incidents:
            if incident.abandon_reason:
                return incident.get_abandon_reason_display()
        return ""

    @property
    def coded_incidents(self) -> list[Incident]:
        return [i for i in self.incidents if i.code]


def finalisation_report(session: Session) -> tuple[list[CandidateReport], list[Incident]]:
    """Candidates in Pix Certif's order (birth name, first name) with their incidents in the
    order of Pix's categories (C1, C2, C4, C6, C7, C8, E1…E12), then session-wide incidents."""
    registrations = list(
        Registration.objects.filter(
            session=session,
            status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.NO_SHOW],
        )
        .select_related("candidate", "attendance")
        .order_by("candidate__birth_name", "candidate__first_name", "pk")
    )
    incidents = list(Incident.objects.filter(session=session).order_by("reported_at", "pk"))

    def order(incident):
        return (INCIDENT_ORDER.get(incident.code, 99), incident.question_number or 0, incident.pk)

    by_registration: dict[int, list[Incident]] = {}
    for incident in incidents:
        by_registration.setdefault(incident.registration_id, []).append(incident)
    lines = [
        CandidateReport(
            registration=r,
            attendance=getattr(r, "attendance", None),
            incidents=sorted(by_registration.get(r.pk, []), key=order),
        )
        for r in registrations
    ]
    return lines, sorted(by_registration.get(None, []), key=order)


@dataclasses.dataclass(frozen=True)
class FinalisationResult:
    present: int
    absent: int
    incidents: int


@transaction.atomic(durable=True)
def finalise_session(session: Session, *, acting_user, now=None) -> FinalisationResult:
    """Close a session that took place: every confirmed candidate not marked present becomes a
    no-show (absences recorded), incidents stay, invigilators' minutes are settled and the
    status moves to finalised through the usual transitions."""
    _require_administrator(acting_user)
    now = _now(now)
    session = Session.objects.select_for_update().select_related("room").get(pk=session.pk)
    if session.status == SessionStatus.FINALISED:
        raise InvigilationError(_("Cette session est déjà finalisée."))
    if session.status == SessionStatus.CANCELLED:
        raise InvigilationError(_("Une session annulée ne se finalise pas."))
    if session.date > timezone.localdate(now):
        raise InvigilationError(_("La session n’a pas encore eu lieu."))
    plan = session_staffing(session)
    present = absent = 0
    confirmed = (
        Registration.objects.select_for_update()
        .filter(session=session, status=RegistrationStatus.CONFIRMED)
        .select_related("candidate")
        .order_by("pk")
    )
    for registration in confirmed:
        attendance = Attendance.objects.filter(registration=registration).first()
        if attendance and attendance.status == AttendanceStatus.PRESENT:
            present += 1
            continue
        absent += 1
        if attendance is None:
            attendance = Attendance.objects.create(
                registration=registration,
                status=AttendanceStatus.ABSENT,
                marked_by=acting_user,
                marked_at=now,
            )
        registration.status = RegistrationStatus.NO_SHOW
        registration.save(update_fields=["status"])
        record(
            AuditAction.NO_SHOW,
            actor=acting_user,
            obj=registration,
            candidate_id=registration.candidate_id,
            session_id=session.pk,
            before={"status": RegistrationStatus.CONFIRMED},
            after={"status": RegistrationStatus.NO_SHOW},
            summary=_("Absent à la session %(session)s") % {"session": session},
            now=now,
        )
    Assignment.objects.filter(session=session).update(minutes=plan.minutes)
    # Walk the usual transitions: open → closed → held → finalised.
    path = [SessionStatus.CLOSED, SessionStatus.HELD, SessionStatus.FINALISED]
    before = session.status
    for status in path[path.index(session.status) + 1 :] if session.status in path else path:
        if not session.can_become(status):
            raise InvigilationError(
                _("Une session « %(before)s » ne peut pas être finalisée.")
                % {"before": SessionStatus(before).label}
            )
        session.status = status
    session.save(update_fields=["status"])
    n_incidents = Incident.objects.filter(session=session).count()
    record(
        AuditAction.SESSION_FINALISED,
        actor=acting_user,
        obj=session,
        session_id=session.pk,
        before={"status": before},
        after={
            "status": session.status,
            "present": present,
            "absent": absent,
            "incidents": n_incidents,
        },
        summary=str(session),
        now=now,
    )
    return FinalisationResult(present=present, absent=absent, incidents=n_incidents)


# --- attendance sheet -------------------------------------------------------------------------

ROWS_PER_PAGE = 20


def _chunks(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def render_attendance_sheet(session: Session) -> tuple[bytes, int]:
    """The attendance sheet PDF: one row per confirmed candidate, 20 per page, a signature
    column, and the session's date, time, site and room on every page."""
    from django.template.loader import render_to_string

    session = Session.objects.select_related("room").get(pk=session.pk)
    registrations = list(
        Registration.objects.filter(
            session=session,
            status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.NO_SHOW],
        )
        .select_related("candidate")
        .order_by("candidate__birth_name", "candidate__first_name", "pk")
    )
    pages = _chunks(registrations, ROWS_PER_PAGE)
    html = render_to_string(
        "sessions_app/invigilation/attendance_sheet_pdf.html",
        {
            "session": session,
            "pages": [
                {"number": n, "rows": rows, "first": (n - 1) * ROWS_PER_PAGE}
                for n, rows in enumerate(pages, start=1)
            ],
            "page_count": len(pages),
            "centre_name": settings.PIX_CENTRE_NAME,
            "staffing_minutes": session_staffing(session).minutes,
        },
    )
    document = pdf.render(html, base_url=str(settings.BASE_DIR))
    return document.write_pdf(), len(document.pages)


@transaction.atomic(durable=True)
def generate_attendance_sheet(session: Session, *, now=None):
    """Produce (or produce again) the session's attendance sheet and store it."""
    from django.core.files.base import ContentFile

    from ..models import AttendanceSheet

    now = _now(now)
    session = Session.objects.select_for_update().get(pk=session.pk)
    pdf, n_pages = render_attendance_sheet(session)
    sheet = AttendanceSheet.objects.filter(session=session).first()
    old_name = sheet.file.name if sheet and sheet.file else ""
    if sheet is None:
        sheet = AttendanceSheet(session=session)
    sheet.generated_at = now
    sheet.pages = n_pages
    sheet.file.save(f"emargement-session-{session.pk}.pdf", ContentFile(pdf), save=False)
    sheet.save()
    if old_name and old_name != sheet.file.name:
        transaction.on_commit(lambda: sheet.file.storage.delete(old_name))
    record(
        AuditAction.ATTENDANCE_SHEET_GENERATED,
        obj=sheet,
        session_id=session.pk,
        after={"pages": n_pages},
        summary=str(session),
        now=now,
    )
    return sheet


@transaction.atomic(durable=True)
def purge_documents(*, now=None, days: int | None = None) -> dict:
    """Delete attendance sheets and fraud reports older than the retention period."""
    from ..models import AttendanceSheet

    now = _now(now)
    days = settings.PIX_DOCUMENT_RETENTION_DAYS if days is None else days
    limit = now - dt.timedelta(days=days)
    sheets = 0
    for sheet in AttendanceSheet.objects.filter(generated_at__lt=limit):
        name, storage = sheet.file.name, sheet.file.storage
        session_id = sheet.session_id
        sheet.delete()
        transaction.on_commit(lambda n=name, s=storage: s.delete(n) if n else None)
        record(AuditAction.ATTENDANCE_SHEET_PURGED, session_id=session_id, summary=name, now=now)
        sheets += 1
    reports = 0
    for incident in Incident.objects.filter(reported_at__lt=limit).exclude(fraud_report=""):
        name, storage = incident.fraud_report.name, incident.fraud_report.storage
        incident.fraud_report = ""
        incident.save(update_fields=["fraud_report"])
        transaction.on_commit(lambda n=name, s=storage: s.delete(n))
        record(
            AuditAction.FRAUD_REPORT_PURGED,
            obj=incident,
            session_id=incident.session_id,
            summary=name,
            now=now,
        )
        reports += 1
    return {"attendance_sheets": sheets, "fraud_reports": reports}
