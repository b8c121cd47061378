"""What the convocation modules share: the arrival time, the live statuses, the error, the
candidate's language and address, the session described in words, the confirmed registrations
of a session and the claim that makes an email go once (``convocations/__init__.py``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.emails import language_of
from pixcentre.errors import DomainError

from ... import staffing
from ...models import (
    Registration,
    RegistrationStatus,
    ReminderKind,
    Session,
    SessionStatus,
)

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


def _registrations(session_id: int):
    return Registration.objects.filter(
        session_id=session_id, status=RegistrationStatus.CONFIRMED
    ).select_related("candidate__user", "session__room")


def _send_lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.PIX_CONVOCATION_SEND_LEASE_SECONDS)


def _claim(model, pk: int, now) -> bool:
    """The conditional UPDATE that makes a send happen once (see the package docstring)."""
    return bool(
        model.objects.filter(pk=pk, sent_at__isnull=True)
        .filter(Q(sending_since__isnull=True) | Q(sending_since__lt=now - _send_lease()))
        .update(sending_since=now)
    )


def _claim_many(model, pks, now) -> set[int]:
    """The same claim for several rows in one statement: the ids this run may send. A batch of
    convocations is claimed together (one round trip and one commit instead of one each); a
    worker killed mid-batch leaves the rest of its batch claimed, sent by the next run once the
    lease has expired, never twice."""
    if not pks:
        return set()
    table = connection.ops.quote_name(model._meta.db_table)
    marks = ", ".join(["%s"] * len(pks))
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET sending_since = %s WHERE id IN ({marks}) AND sent_at IS NULL "  # noqa: S608 (ids are parameters)
            "AND (sending_since IS NULL OR sending_since < %s) RETURNING id",
            [adapt(now), *pks, adapt(now - _send_lease())],
        )
        return {pk for (pk,) in cursor.fetchall()}


def _describe(session: Session) -> str:
    return _("le %(date)s à %(time)s, %(room)s (%(address)s)") % {
        "date": date_format(session.date, "l j F Y"),
        "time": session.start_time.strftime("%H:%M"),
        "room": session.room,
        "address": session.room.address or session.room.site,
    }
