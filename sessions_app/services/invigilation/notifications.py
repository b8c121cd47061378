"""The assignment email, with its calendar invitation: templates
``sessions_app/emails/invigilator_assigned``, rendered by ``accounts.emails`` in the
invigilator's language and sent from ``sessions_app.tasks.notify_assignment`` once the
assignment is committed."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.emails import build_message, language_of, render_email

from ...models import Assignment
from ..mail import describe_session
from .availability import busy_window
from .common import _now

# --- the assignment email ---------------------------------------------------------------------


def build_assignment_ics(assignment: Assignment, *, now=None) -> str:
    """A VCALENDAR with one VEVENT for the invigilation window (METHOD:REQUEST)."""
    import icalendar

    session = assignment.session
    start, end = busy_window(session)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//pixcentre//Surveillance Pix//FR")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = icalendar.Event()
    event.add("uid", f"assignment-{assignment.pk}@pixcentre")
    event.add("dtstamp", now or timezone.now())
    event.add("dtstart", start)
    event.add("dtend", end)
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


def _assignment_context(assignment: Assignment) -> dict:
    """What ``sessions_app/emails/invigilator_assigned`` says, in the current language."""
    session = assignment.session
    invigilator = assignment.invigilator
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
        context = _assignment_context(assignment)
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
