"""Convocations: the one-page PDF and the calendar invitation each confirmed candidate receives,
their sending, the reminders before the session, and what happens when a session moves.

Documents are stored files (``Convocation.file`` + ``generated_at``) rendered once by
WeasyPrint from ``sessions_app/convocations/pdf.html``; emails attach the stored file, never a
fresh rendering.

Sending is idempotent. Each email is *claimed* first with a conditional UPDATE::

    UPDATE convocation SET sending_since = now
     WHERE id = %s AND sent_at IS NULL AND (sending_since IS NULL OR sending_since < now - lease)

Only the run whose UPDATE touched the row sends; ``sent_at`` is written right after the SMTP
server accepted the message. A second run (or two workers at once) finds the row sent or
claimed and does nothing; a worker that died after claiming leaves a claim that expires after
``PIX_CONVOCATION_SEND_LEASE_SECONDS`` (10 minutes), and the next run finishes the rest. The
only window for a duplicate is a crash between the SMTP server's acceptance and the ``sent_at``
write, which no SMTP client can close.
Reminders (7 days and 1 day before) use the same claim on ``ReminderSent``, unique per
registration and kind.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import icalendar
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import audit
from accounts.audit_actions import AuditAction
from accounts.emails import language_of, send_backoff  # noqa: F401  (convocations.send_backoff)
from outbox.dispatch import enqueue
from pixcentre import pdf
from pixcentre.errors import DomainError

from .. import attendance_codes, staffing
from ..models import (
    PARIS,
    TEST_DURATION,
    Convocation,
    ConvocationStatus,
    Registration,
    RegistrationStatus,
    ReminderKind,
    ReminderSent,
    Room,
    Session,
    SessionStatus,
)

logger = logging.getLogger(__name__)

ARRIVAL_BEFORE = dt.timedelta(minutes=15)
MAX_SEND_ATTEMPTS = 5
REMINDER_WINDOWS = {
    # kind: (sent when the session starts within this delay, but not within the next kind's)
    ReminderKind.WEEK: dt.timedelta(days=7),
    ReminderKind.DAY: dt.timedelta(days=1),
}
# Sessions whose candidates may still be convened or reminded.
LIVE_STATUSES = (SessionStatus.DRAFT, SessionStatus.OPEN, SessionStatus.CLOSED)


class ConvocationError(DomainError):
    """A convocation cannot be sent or changed (no email address, session not convened...)."""


# --- pure helpers -----------------------------------------------------------------------------


def duration_minutes(extra_time_percent: int | None, certification: str = "") -> int:
    """The test of ``certification`` (a Pix label; '' = core Pix, 1 h 45; Pix+ Droit and Pro
    Santé 45 min; Pix+ Édu 1 h 30), extended by the candidate's extra time and rounded up to
    the minute."""
    return staffing.with_extra_time(staffing.exam_minutes(certification), extra_time_percent)


def format_minutes(minutes: int) -> str:
    return staffing.format_minutes(minutes)


def language_for(registration: Registration) -> str:
    return language_of(registration.candidate.user if registration.candidate.user_id else None)


def recipient(registration: Registration) -> str:
    candidate = registration.candidate
    return candidate.convocation_email or (candidate.user.email if candidate.user_id else "")


def site_url(path: str) -> str:
    return settings.PIX_SITE_URL.rstrip("/") + path


# --- the documents ----------------------------------------------------------------------------


def _cancel_path() -> str:
    """The candidate's registration page (where they cancel), else their convocations."""
    try:
        return reverse("sessions_app:mine")
    except NoReverseMatch:
        return reverse("convocations:mine")


def convocation_context(registration: Registration) -> dict:
    session = registration.session
    candidate = registration.candidate
    minutes = registration.test_minutes_with_extra_time
    arrival = (session.starts_at - ARRIVAL_BEFORE).timetz()
    deadline = session.cancellation_deadline().astimezone(PARIS)
    return {
        "centre_name": settings.PIX_CENTRE_NAME,
        "centre_contact_email": settings.PIX_CENTRE_CONTACT_EMAIL,
        "candidate": candidate,
        "registration": registration,
        "session": session,
        "room": session.room,
        "date_text": date_format(session.date, "l j F Y"),
        "start_text": session.start_time.strftime("%H:%M"),
        "arrival_text": arrival.strftime("%H:%M"),
        "duration_text": format_minutes(minutes),
        "base_duration_text": format_minutes(registration.test_minutes),
        "certification": registration.certification_label,
        "extra_time": candidate.extra_time_percent,
        "complementary": registration.get_complementary_display()
        if registration.complementary
        else "",
        "cancel_url": site_url(_cancel_path()),
        "deadline_text": _("%(date)s à %(time)s")
        % {"date": date_format(deadline, "l j F Y"), "time": deadline.strftime("%H:%M")},
        "presence_qr": presence_qr(registration),
        "presence_code": presence_code_text(registration),
    }


def render_html(registration: Registration, language: str) -> str:
    with translation.override(language):
        return render_to_string(
            "sessions_app/convocations/pdf.html", convocation_context(registration)
        )


def render_pdf(registration: Registration, language: str | None = None) -> bytes:
    return pdf.write_pdf(render_html(registration, language or language_for(registration)))


def build_ics(registration: Registration, *, revision: int = 1, now=None) -> str:
    """A VCALENDAR with one VEVENT (METHOD:REQUEST); the uid is stable across revisions so a
    calendar replaces the event when the session moves."""
    session = registration.session
    minutes = registration.test_minutes_with_extra_time
    cal = icalendar.Calendar()
    cal.add("prodid", "-//pixcentre//Convocation Pix//FR")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = icalendar.Event()
    event.add("uid", f"registration-{registration.pk}@pixcentre")
    event.add("sequence", revision - 1)
    event.add("dtstamp", now or timezone.now())
    event.add("dtstart", session.starts_at - ARRIVAL_BEFORE)
    event.add("dtend", session.starts_at + dt.timedelta(minutes=minutes))
    event.add("summary", _("Certification Pix"))
    event.add("location", f"{session.room}, {session.room.address}".strip(", "))
    event.add(
        "description",
        _("Arrivée à %(arrival)s, début à %(start)s. Apportez une pièce d’identité.")
        % {
            "arrival": (session.starts_at - ARRIVAL_BEFORE).strftime("%H:%M"),
            "start": session.start_time.strftime("%H:%M"),
        },
    )
    event.add("organizer", f"mailto:{settings.PIX_CENTRE_CONTACT_EMAIL}")
    cal.add_component(event)
    return cal.to_ical().decode()


def _registrations(session_id: int):
    return Registration.objects.filter(
        session_id=session_id, status=RegistrationStatus.CONFIRMED
    ).select_related("candidate__user", "session__room")


def generate_convocation(registration: Registration, *, now=None) -> Convocation:
    """Render and store the convocation unless a current one is stored already."""
    now = now or timezone.now()
    convocation, _created = Convocation.objects.get_or_create(registration=registration)
    if convocation.file and convocation.status != ConvocationStatus.PENDING:
        return convocation
    language = language_for(registration)
    pdf = render_pdf(registration, language)
    with translation.override(language):
        ics = build_ics(registration, revision=convocation.revision, now=now)
    old = convocation.file.name if convocation.file else ""
    name = f"convocation-{registration.pk}-v{convocation.revision}-{uuid.uuid4().hex[:8]}.pdf"
    convocation.file.save(name, ContentFile(pdf), save=False)
    # Store it only if no other run stored one meanwhile (two tasks for the same session at
    # once): the file we saw is still there and the revision has not moved.
    stored = Convocation.objects.filter(
        pk=convocation.pk, file=old, revision=convocation.revision
    ).update(
        file=convocation.file.name,
        ics=ics,
        language=language,
        generated_at=now,
        status=ConvocationStatus.GENERATED,
    )
    if stored and old:
        convocation.file.storage.delete(old)
    elif not stored:
        convocation.file.storage.delete(convocation.file.name)
    convocation.refresh_from_db()
    return convocation


def generate_session_convocations(session: Session, *, now=None) -> list[Convocation]:
    """One stored convocation per confirmed registration (already current ones are kept)."""
    return [generate_convocation(r, now=now) for r in _registrations(session.pk)]


# --- sending ----------------------------------------------------------------------------------


def _send_lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.PIX_CONVOCATION_SEND_LEASE_SECONDS)


def _claim(model, pk: int, now) -> bool:
    """The conditional UPDATE that makes a send happen once (see the module docstring)."""
    return bool(
        model.objects.filter(pk=pk, sent_at__isnull=True)
        .filter(Q(sending_since__isnull=True) | Q(sending_since__lt=now - _send_lease()))
        .update(sending_since=now)
    )


def _signature() -> str:
    return "\n\n" + _("L’équipe du %(centre)s\n%(contact)s") % {
        "centre": settings.PIX_CENTRE_NAME,
        "contact": settings.PIX_CENTRE_CONTACT_EMAIL,
    }


def _convocation_email(convocation: Convocation) -> EmailMessage:
    registration = convocation.registration
    candidate = registration.candidate
    with translation.override(convocation.language):
        values = {
            "name": candidate.first_name,
            "session": _describe(registration.session),
            "arrival": (registration.session.starts_at - ARRIVAL_BEFORE).strftime("%H:%M"),
        }
        if convocation.revision > 1:
            subject = _("Votre session de certification Pix a changé : nouvelle convocation")
            body = _(
                "Bonjour %(name)s,\n\nVotre session de certification Pix a changé. Elle a "
                "désormais lieu %(session)s. Merci d’arriver à %(arrival)s.\nVotre nouvelle "
                "convocation et l’invitation mise à jour sont jointes ; l’ancienne convocation "
                "n’est plus valable."
            )
        else:
            subject = _("Votre convocation à la certification Pix")
            body = _(
                "Bonjour %(name)s,\n\nVous êtes convoqué(e) à la certification Pix %(session)s. "
                "Merci d’arriver à %(arrival)s.\nVotre convocation (PDF) et une invitation pour "
                "votre agenda sont jointes."
            )
        message = EmailMessage(
            f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
            body % values + _signature(),
            to=[recipient(registration)],
        )
    with convocation.file.open("rb") as f:
        message.attach("convocation-pix.pdf", f.read(), "application/pdf")
    message.attach("certification-pix.ics", convocation.ics, "text/calendar; method=REQUEST")
    return message


def _describe(session: Session) -> str:
    return _("le %(date)s à %(time)s, %(room)s (%(address)s)") % {
        "date": date_format(session.date, "l j F Y"),
        "time": session.start_time.strftime("%H:%M"),
        "room": session.room,
        "address": session.room.address or session.room.site,
    }


def deliver_convocation(convocation_id: int, *, now=None) -> str:
    """Send one stored convocation once. Returns ``sent``, ``no_address`` (no email address is
    known: the row says so) or ``skipped`` (already sent, being sent by another run, no longer
    confirmed); an SMTP error is recorded on the row, the claim released, and re-raised for the
    task to retry."""
    now = now or timezone.now()
    convocation = (
        Convocation.objects.filter(pk=convocation_id)
        .select_related("registration__candidate__user", "registration__session__room")
        .first()
    )
    if convocation is None or convocation.sent_at is not None or not convocation.file:
        return "skipped"
    registration = convocation.registration
    if registration.status != RegistrationStatus.CONFIRMED:
        return "skipped"
    if not recipient(registration):
        # Nothing can be sent, and the batch must not wait for it: a final state that says why
        # (the page offers to print it or to enter an address; the next run retries it).
        Convocation.objects.filter(pk=convocation_id, sent_at__isnull=True).update(
            status=ConvocationStatus.NO_ADDRESS, sending_since=None
        )
        return "no_address"
    if not _claim(Convocation, convocation_id, now):
        return "skipped"
    try:
        _convocation_email(convocation).send(fail_silently=False)
    except Exception as exc:
        Convocation.objects.filter(pk=convocation_id).update(
            sending_since=None, attempts=F("attempts") + 1, last_error=str(exc)[:500]
        )
        raise
    with transaction.atomic():
        Convocation.objects.filter(pk=convocation_id).update(
            sent_at=now,
            sending_since=None,
            status=ConvocationStatus.SENT,
            attempts=F("attempts") + 1,
            last_error="",
        )
        audit.record(
            AuditAction.CONVOCATION_SENT,
            obj=convocation,
            candidate_id=registration.candidate_id,
            session_id=registration.session_id,
            after={"revision": convocation.revision, "to": recipient(registration)},
            summary=f"Convocation v{convocation.revision} envoyée",
            now=now,
        )
    return "sent"


def mark_failed(convocation_id: int, error: str) -> None:
    """After the last try: shown as failed to the administrator, who may resend it."""
    Convocation.objects.filter(pk=convocation_id, sent_at__isnull=True).update(
        status=ConvocationStatus.FAILED, sending_since=None, last_error=error[:500]
    )


def convocations_to_send(session_id: int) -> list[int]:
    return list(
        Convocation.objects.filter(
            registration__session_id=session_id,
            registration__status=RegistrationStatus.CONFIRMED,
            sent_at__isnull=True,
        )
        .exclude(status=ConvocationStatus.FAILED)
        .exclude(file="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic(durable=True)
def prepare_resend(convocation: Convocation, *, acting_user, now=None) -> Convocation:
    """The administrator asks for one convocation to be sent again (failed or lost)."""
    if not (acting_user and acting_user.is_administrator):
        raise ConvocationError(_("Seul un gestionnaire peut renvoyer une convocation."))
    now = now or timezone.now()
    convocation = Convocation.objects.select_for_update().get(pk=convocation.pk)
    if convocation.registration.status != RegistrationStatus.CONFIRMED:
        raise ConvocationError(_("Cette inscription n’est plus confirmée."))
    before = {"status": convocation.status, "sent_at": str(convocation.sent_at or "")}
    Convocation.objects.filter(pk=convocation.pk).update(
        sent_at=None,
        sending_since=None,
        attempts=0,
        last_error="",
        status=ConvocationStatus.GENERATED if convocation.file else ConvocationStatus.PENDING,
    )
    audit.record(
        AuditAction.CONVOCATION_RESEND,
        actor=acting_user,
        obj=convocation,
        candidate_id=convocation.registration.candidate_id,
        session_id=convocation.registration.session_id,
        before=before,
        after={"status": "to_send"},
        now=now,
    )
    convocation.refresh_from_db()
    return convocation


def progress(session: Session) -> dict:
    """x / n generated, sent, failed, without an address, for the administrator's live page
    (two queries)."""
    total = Registration.objects.filter(
        session=session, status=RegistrationStatus.CONFIRMED
    ).count()
    counts = Convocation.objects.filter(
        registration__session=session, registration__status=RegistrationStatus.CONFIRMED
    ).aggregate(
        generated=Count("pk", filter=Q(generated_at__isnull=False) & ~Q(status="pending")),
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        failed=Count("pk", filter=Q(status=ConvocationStatus.FAILED)),
        no_address=Count("pk", filter=Q(status=ConvocationStatus.NO_ADDRESS)),
    )
    counts["total"] = total
    # Done when every convocation has an outcome: sent, refused, or no address to send it to.
    finished = counts["sent"] + counts["failed"] + counts["no_address"]
    counts["done"] = total > 0 and finished >= total
    return counts


# --- convocations that email cannot carry -----------------------------------------------------


def not_sent_reason(convocation: Convocation | None) -> str:
    """Why a confirmed candidate's convocation has not gone by email, in words, for the
    administrator ("" once it is sent)."""
    if convocation is None or convocation.status == ConvocationStatus.PENDING:
        return _("Pas encore générée : lancez l’envoi des convocations.")
    if convocation.sent_at is not None:
        return ""
    if convocation.status == ConvocationStatus.NO_ADDRESS:
        return _(
            "Aucune adresse e-mail : le candidat ne s’est jamais connecté et aucune adresse de "
            "convocation n’est connue. Imprimez sa convocation, ou saisissez son adresse pour "
            "l’envoyer."
        )
    if convocation.status == ConvocationStatus.FAILED:
        return _("Le serveur de messagerie a refusé l’envoi : %(error)s") % {
            "error": convocation.last_error or "—"
        }
    if convocation.sending_since:
        return _("Envoi en cours.")
    return _("En attente d’envoi.")


@transaction.atomic(durable=True)
def set_address_and_resend(
    convocation: Convocation, address: str, *, acting_user, now=None
) -> Convocation:
    """The administrator learnt a candidate's address: it becomes their convocation address
    (audited) and the convocation is sent to it once this is committed."""
    from django.contrib.auth.base_user import BaseUserManager
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from candidates.models import Candidate

    if not (acting_user and acting_user.is_authenticated and acting_user.is_administrator):
        raise ConvocationError(_("Seul un gestionnaire peut renvoyer une convocation."))
    now = now or timezone.now()
    address = BaseUserManager.normalize_email((address or "").strip())
    try:
        validate_email(address)
    except ValidationError:
        raise ConvocationError(
            _("« %(address)s » n’est pas une adresse e-mail valide.") % {"address": address}
        ) from None
    convocation = (
        Convocation.objects.select_for_update()
        .select_related("registration")
        .get(pk=convocation.pk)
    )
    registration = convocation.registration
    if registration.status != RegistrationStatus.CONFIRMED:
        raise ConvocationError(_("Cette inscription n’est plus confirmée."))
    candidate = Candidate.objects.select_for_update().get(pk=registration.candidate_id)
    before = candidate.convocation_email
    if before != address:
        candidate.convocation_email = address
        candidate.save(update_fields=["convocation_email"])
        audit.record(
            AuditAction.CONVOCATION_ADDRESS_SET,
            actor=acting_user,
            obj=candidate,
            candidate_id=candidate.pk,
            session_id=registration.session_id,
            before={"convocation_email": before},
            after={"convocation_email": address},
            summary=str(candidate),
            now=now,
        )
    Convocation.objects.filter(pk=convocation.pk).update(
        sent_at=None,
        sending_since=None,
        attempts=0,
        last_error="",
        status=ConvocationStatus.GENERATED if convocation.file else ConvocationStatus.PENDING,
    )
    if convocation.file:
        enqueue("sessions_app.tasks.deliver_convocation", convocation.pk)
    else:
        enqueue("sessions_app.tasks.send_session_convocations", registration.session_id)
    convocation.refresh_from_db()
    return convocation


# --- the printable convocations of a session --------------------------------------------------


def presence_code_text(registration: Registration) -> str:
    """The presence code as printed under the QR code (``ABCD-EFGH-JKLM``)."""
    return attendance_codes.display(attendance_codes.code_for(registration.pk))


def presence_qr(registration: Registration) -> str:
    """The QR code of the presence address, as a PNG data URI for WeasyPrint. A PNG (not an
    SVG) so that the picture in the PDF is the one a scanner reads, and tests can take it out."""
    import segno

    url = site_url(
        reverse("invigilation:presence", args=[attendance_codes.token_for(registration.pk)])
    )
    return segno.make_qr(url, error="m").png_data_uri(scale=8, border=4)


def printable_convocations(session: Session, *, only_not_sent: bool = False) -> tuple[bytes, int]:
    """One PDF of the session's convocations, one page per confirmed candidate in the order of
    the attendance list, each in the candidate's language, to post or hand out. Rendered on
    request from the same template as the stored convocations (so it is never out of date
    with the seats); ``only_not_sent`` keeps the candidates no email has reached."""
    registrations = _registrations(session.pk).order_by(
        "candidate__birth_name", "candidate__first_name", "pk"
    )
    if only_not_sent:
        registrations = registrations.exclude(convocation__sent_at__isnull=False)
    documents = [pdf.render(render_html(r, language_for(r))) for r in registrations]
    if not documents:
        return b"", 0
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf(), len(pages)


# --- reminders --------------------------------------------------------------------------------


def due_reminders(kind: str, *, now=None) -> list[Registration]:
    """Confirmed registrations of live sessions starting within the kind's window (and, for
    the 7-day reminder, not already within the 1-day one) that have not had this kind."""
    now = now or timezone.now()
    window = REMINDER_WINDOWS[ReminderKind(kind)]
    floor = now + REMINDER_WINDOWS[ReminderKind.DAY] if kind == ReminderKind.WEEK else now
    # A date range first (the index), then the exact start times in Python.
    first_day = (floor.astimezone(PARIS) - dt.timedelta(days=1)).date()
    last_day = (now + window).astimezone(PARIS).date()
    candidates = (
        Registration.objects.filter(
            status=RegistrationStatus.CONFIRMED,
            session__status__in=LIVE_STATUSES,
            session__date__gte=first_day,
            session__date__lte=last_day,
        )
        .exclude(
            pk__in=ReminderSent.objects.filter(kind=kind, sent_at__isnull=False).values(
                "registration_id"
            )
        )
        .select_related("candidate__user", "session__room")
    )
    return [r for r in candidates if floor < r.session.starts_at <= now + window]


def _reminder_email(registration: Registration, kind: str) -> EmailMessage:
    with translation.override(language_for(registration)):
        session = registration.session
        values = {
            "name": registration.candidate.first_name,
            "session": _describe(session),
            "arrival": (session.starts_at - ARRIVAL_BEFORE).strftime("%H:%M"),
        }
        if kind == ReminderKind.DAY:
            subject = _("Rappel : votre certification Pix a lieu demain")
        else:
            subject = _("Rappel : votre certification Pix a lieu dans une semaine")
        body = _(
            "Bonjour %(name)s,\n\nNous vous rappelons votre certification Pix %(session)s. "
            "Merci d’arriver à %(arrival)s avec une pièce d’identité et les identifiants de "
            "votre compte Pix.\nSi vous ne pouvez pas venir, annulez depuis votre espace pour "
            "libérer la place."
        )
        return EmailMessage(
            f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
            body % values + _signature(),
            to=[recipient(registration)],
        )


def send_reminders(kind: str, *, now=None) -> dict:
    """Send the due reminders of one kind, each once (unique row + conditional claim)."""
    now = now or timezone.now()
    sent = failed = 0
    for registration in due_reminders(kind, now=now):
        if not recipient(registration):
            continue
        try:
            reminder, _created = ReminderSent.objects.get_or_create(
                registration=registration, kind=kind, defaults={"created_at": now}
            )
        except IntegrityError:  # another run created it at the same moment
            reminder = ReminderSent.objects.get(registration=registration, kind=kind)
        if not _claim(ReminderSent, reminder.pk, now):
            continue
        try:
            _reminder_email(registration, kind).send(fail_silently=False)
        except Exception:
            logger.exception("reminder %s for registration %s failed", kind, registration.pk)
            ReminderSent.objects.filter(pk=reminder.pk).update(sending_since=None)
            failed += 1
            continue
        ReminderSent.objects.filter(pk=reminder.pk).update(sent_at=now, sending_since=None)
        sent += 1
    return {"kind": kind, "sent": sent, "failed": failed}


# --- a session moves --------------------------------------------------------------------------


def _clash(session: Session, room: Room, date: dt.date, start_time: dt.time) -> Session | None:
    starts = dt.datetime.combine(date, start_time)
    others = Session.objects.filter(room=room, date=date).exclude(pk=session.pk)
    for other in others.exclude(status=SessionStatus.CANCELLED):
        if abs(dt.datetime.combine(other.date, other.start_time) - starts) < TEST_DURATION:
            return other
    return None


@transaction.atomic(durable=True)
def reschedule_session(
    session: Session,
    *,
    date: dt.date | None = None,
    start_time: dt.time | None = None,
    room: Room | None = None,
    acting_user,
    now=None,
) -> Session:
    """Move a session (date, time and/or room). Its convocations are regenerated and sent
    again as a "changed" notice; confirmed candidates not convened yet are told by email."""
    from .common import SessionError, _year_for
    from .mail import send_candidate_email

    if not (acting_user and acting_user.is_authenticated and acting_user.is_administrator):
        raise SessionError(_("Seul un gestionnaire peut faire cette opération."))
    now = now or timezone.now()
    session = Session.objects.select_for_update().select_related("room").get(pk=session.pk)
    new_date = date or session.date
    new_time = start_time or session.start_time
    new_room = room or session.room
    if (new_date, new_time, new_room.pk) == (session.date, session.start_time, session.room_id):
        return session
    if session.status not in LIVE_STATUSES:
        raise SessionError(
            _("Une session passée, finalisée ou annulée ne peut plus être déplacée.")
        )
    if _year_for(new_date).pk != session.academic_year_id:
        raise SessionError(_("Une session ne peut pas changer d’année universitaire."))
    if new_room.capacity < session.capacity:
        raise SessionError(
            _("La salle %(room)s n’a que %(n)s places.")
            % {"room": new_room, "n": new_room.capacity}
        )
    Room.objects.select_for_update().filter(pk=new_room.pk).get()
    clash = _clash(session, new_room, new_date, new_time)
    if clash:
        raise SessionError(
            _("La salle %(room)s est déjà occupée par la session %(other)s.")
            % {"room": new_room, "other": clash}
        )
    before = {"date": str(session.date), "time": str(session.start_time), "room": session.room_id}
    session.date, session.start_time, session.room = new_date, new_time, new_room
    session.save(update_fields=["date", "start_time", "room"])
    after = {"date": str(new_date), "time": str(new_time), "room": new_room.pk}
    audit.record(
        AuditAction.SESSION_RESCHEDULED,
        actor=acting_user,
        obj=session,
        session_id=session.pk,
        before=before,
        after=after,
        summary=_describe(session),
        now=now,
    )
    convened = Convocation.objects.filter(registration__session=session)
    convened_ids = set(convened.values_list("registration_id", flat=True))
    convened.update(
        status=ConvocationStatus.PENDING,
        revision=F("revision") + 1,
        sent_at=None,
        sending_since=None,
        attempts=0,
        last_error="",
    )
    ReminderSent.objects.filter(registration__session=session).delete()
    for registration in _registrations(session.pk):
        if registration.pk in convened_ids:
            continue
        send_candidate_email(
            registration.candidate, "session_moved", session=session, describe=_describe
        )
    if convened_ids:
        enqueue("sessions_app.tasks.send_session_convocations", session.pk)
    return session
