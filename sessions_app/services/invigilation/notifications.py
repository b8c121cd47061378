"""The invigilator's emails: the assignment with its calendar invitation
(``sessions_app/emails/invigilator_assigned``, sent by ``sessions_app.tasks.notify_assignment``)
and, when they are removed from the session after it, its cancellation with a calendar
cancellation of the same event (``invigilator_unassigned``, sent by
``sessions_app.tasks.notify_unassignment``). Rendered by ``accounts.emails`` in the
invigilator's language and sent once the change is committed, each at most once."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.emails import build_message, language_of, render_email

from ...models import Assignment, AssignmentCancellation
from ..mail import describe_session
from .availability import busy_window
from .common import _now

# --- the assignment email ---------------------------------------------------------------------


def _calendar(assignment_number: int, session, *, method: str, now=None) -> str:
    """A VCALENDAR with one VEVENT for the invigilation window. The UID names the assignment,
    so that a cancellation (``METHOD:CANCEL``, a higher ``SEQUENCE``, ``STATUS:CANCELLED``)
    removes the event its invitation (``METHOD:REQUEST``) put in the invigilator's calendar."""
    import icalendar

    start, end = busy_window(session)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//pixcentre//Surveillance Pix//FR")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = icalendar.Event()
    event.add("uid", f"assignment-{assignment_number}@pixcentre")
    event.add("dtstamp", now or timezone.now())
    event.add("dtstart", start)
    event.add("dtend", end)
    if method == "CANCEL":
        event.add("sequence", 1)
        event.add("status", "CANCELLED")
    event.add("summary", _("Surveillance de la certification Pix"))
    event.add("location", f"{session.room}, {session.room.address}".strip(", "))
    event.add(
        "description",
        _("Surveillance de la session de certification Pix : %(session)s.")
        % {"session": describe_session(session)},
    )
    event.add("organizer", f"mailto:{settings.PIX_CENTRE_CONTACT_EMAIL}")
    cal.add_component(event)
    return cal.to_ical().decode()


def build_assignment_ics(assignment: Assignment, *, now=None) -> str:
    """The invitation: one VEVENT for the invigilation window (METHOD:REQUEST)."""
    return _calendar(assignment.pk, assignment.session, method="REQUEST", now=now)


def build_cancellation_ics(cancellation: AssignmentCancellation, *, now=None) -> str:
    """The cancellation of that invitation: the same UID, METHOD:CANCEL."""
    return _calendar(cancellation.assignment_number, cancellation.session, method="CANCEL", now=now)


def _email_context(session, invigilator) -> dict:
    """What the invigilator's emails say about the session, in the current language."""
    start, end = busy_window(session)
    return {
        "name": invigilator.first_name or str(invigilator),
        "date": date_format(session.date, "l j F Y"),
        "session": describe_session(session),
        "start": timezone.localtime(start).strftime("%H:%M"),
        "end": timezone.localtime(end).strftime("%H:%M"),
        "minutes": int((end - start).total_seconds() // 60),
        "url": settings.PIX_SITE_URL.rstrip("/")
        + reverse("invigilation:session_day", args=[session.pk]),
    }


def _assignment_email(assignment: Assignment, *, now) -> EmailMultiAlternatives:
    """The assignment email (``sessions_app/emails/invigilator_assigned``) in the invigilator's
    language, with the calendar invitation attached."""
    invigilator = assignment.invigilator
    language = language_of(invigilator)
    with translation.override(language):
        context = _email_context(assignment.session, invigilator)
        ics = build_assignment_ics(assignment, now=now)
    email = render_email("sessions_app/emails/invigilator_assigned", context, language=language)
    message = build_message(email, invigilator.email)
    message.attach("surveillance-pix.ics", ics, "text/calendar; method=REQUEST")
    return message


def notify_assignment(assignment_id: int, *, now=None) -> str:
    """Email the invigilator their assignment with a calendar invitation, once: claimed on
    ``notified_at`` with a conditional UPDATE, released when the mail server refuses (the
    task retries)."""
    now = _now(now)
    claimed = Assignment.objects.filter(pk=assignment_id, notified_at__isnull=True).update(
        notified_at=now
    )
    if not claimed:
        return "skipped"
    assignment = (
        Assignment.objects.select_related("session__room", "invigilator")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None or not assignment.invigilator.email:
        return "skipped"
    try:
        _assignment_email(assignment, now=now).send(fail_silently=False)
    except Exception:
        Assignment.objects.filter(pk=assignment_id).update(notified_at=None)
        raise
    return "sent"


# --- the cancellation email -------------------------------------------------------------------


def _cancellation_email(cancellation: AssignmentCancellation, *, now) -> EmailMultiAlternatives:
    """The cancellation email (``sessions_app/emails/invigilator_unassigned``) in the
    invigilator's language, with the calendar cancellation attached."""
    invigilator = cancellation.invigilator
    language = language_of(invigilator)
    with translation.override(language):
        context = _email_context(cancellation.session, invigilator)
        ics = build_cancellation_ics(cancellation, now=now)
    email = render_email("sessions_app/emails/invigilator_unassigned", context, language=language)
    message = build_message(email, invigilator.email)
    message.attach("surveillance-pix.ics", ics, "text/calendar; method=CANCEL")
    return message


def notify_unassignment(cancellation_id: int, *, now=None) -> str:
    """Email the invigilator that they no longer invigilate the session, with the calendar
    cancellation of their invitation, once: claimed on ``notified_at`` as the assignment email
    is, released when the mail server refuses (the task retries)."""
    now = _now(now)
    claimed = AssignmentCancellation.objects.filter(
        pk=cancellation_id, notified_at__isnull=True
    ).update(notified_at=now)
    if not claimed:
        return "skipped"
    cancellation = (
        AssignmentCancellation.objects.select_related("session__room", "invigilator")
        .filter(pk=cancellation_id)
        .first()
    )
    if cancellation is None or not cancellation.invigilator.email:
        return "skipped"
    try:
        _cancellation_email(cancellation, now=now).send(fail_silently=False)
    except Exception:
        AssignmentCancellation.objects.filter(pk=cancellation_id).update(notified_at=None)
        raise
    return "sent"
