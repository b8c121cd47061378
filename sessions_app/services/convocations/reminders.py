"""The reminders before a session (7 days and 1 day), each once per registration and kind."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError
from django.utils import timezone, translation

from accounts.emails import build_message, render_email

from ...models import (
    PARIS,
    Registration,
    RegistrationStatus,
    ReminderKind,
    ReminderSent,
)
from .common import (
    ARRIVAL_BEFORE,
    LIVE_STATUSES,
    REMINDER_WINDOWS,
    _claim,
    _describe,
    language_for,
    recipient,
)

logger = logging.getLogger(__name__)


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


def _reminder_email(registration: Registration, kind: str) -> EmailMultiAlternatives:
    """The reminder (``sessions_app/emails/reminder``) in the candidate's language."""
    language = language_for(registration)
    session = registration.session
    with translation.override(language):
        context = {
            "name": registration.candidate.first_name,
            "session": _describe(session),
            "arrival": (session.starts_at - ARRIVAL_BEFORE).strftime("%H:%M"),
            "tomorrow": kind == ReminderKind.DAY,
        }
    email = render_email("sessions_app/emails/reminder", context, language=language)
    return build_message(email, recipient(registration))


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
