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


def _invigilator_email(template, session, invigilator, build_ics, method) -> EmailMultiAlternatives:
    """An invigilator's email (``template``) in their language, with the calendar object
    ``build_ics()`` makes (an invitation, METHOD:REQUEST, or its cancellation) attached."""
    language = language_of(invigilator)
    with translation.override(language):
        context = _email_context(session, invigilator)
        ics = build_ics()
    email = render_email(template, context, language=language)
    message = build_message(email, invigilator.email)
    message.attach("surveillance-pix.ics", ics, f"text/calendar; method={method}")
    return message


def _send_once(model, pk: int, build_email, *, now) -> str:
    """The email of the ``model`` row ``pk``, once: claimed on ``notified_at`` with a
    conditional UPDATE, released when the mail server refuses (the task retries)."""
    if not model.objects.filter(pk=pk, notified_at__isnull=True).update(notified_at=now):
        return "skipped"
    row = model.objects.select_related("session__room", "invigilator").filter(pk=pk).first()
    if row is None or not row.invigilator.email:
        return "skipped"
    try:
        build_email(row).send(fail_silently=False)
    except Exception:
        model.objects.filter(pk=pk).update(notified_at=None)
        raise
    return "sent"


def notify_assignment(assignment_id: int, *, now=None) -> str:
    """Email the invigilator their assignment (``sessions_app/emails/invigilator_assigned``)
    with a calendar invitation, once."""
    now = _now(now)
    return _send_once(
        Assignment,
        assignment_id,
        lambda assignment: _invigilator_email(
            "sessions_app/emails/invigilator_assigned",
            assignment.session,
            assignment.invigilator,
            lambda: build_assignment_ics(assignment, now=now),
            "REQUEST",
        ),
        now=now,
    )


# --- the cancellation email -------------------------------------------------------------------


def notify_unassignment(cancellation_id: int, *, now=None) -> str:
    """Email the invigilator that they no longer invigilate the session
    (``sessions_app/emails/invigilator_unassigned``), with the calendar cancellation of their
    invitation, once."""
    now = _now(now)
    return _send_once(
        AssignmentCancellation,
        cancellation_id,
        lambda cancellation: _invigilator_email(
            "sessions_app/emails/invigilator_unassigned",
            cancellation.session,
            cancellation.invigilator,
            lambda: build_cancellation_ics(cancellation, now=now),
            "CANCEL",
        ),
        now=now,
    )
