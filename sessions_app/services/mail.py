"""Notification emails of sessions_app, through ``accounts.emails``: templates in
``sessions_app/templates/sessions_app/emails/``, rendered in the candidate's language (not the
language of whoever caused the email), sent from a task once the change is committed."""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.emails import (
    Email,
    emails_are_suppressed,
    emails_suppressed,
    language_of,
    render_email,
    send_templated_email,
)
from candidates.models import Candidate, CandidateKind
from outbox.dispatch import enqueue_for_sweep

from ..models import Application, Registration, RegistrationStatus, Session

__all__ = [
    "candidate_language",
    "describe_session",
    "emails_are_suppressed",
    "emails_suppressed",
    "recipient",
    "send_candidate_email",
]


def recipient(candidate: Candidate) -> str:
    return candidate.convocation_email or (candidate.user.email if candidate.user_id else "")


def candidate_language(candidate: Candidate) -> str:
    return language_of(candidate.user if candidate.user_id else None)


def describe_session(session: Session) -> str:
    return _("le %(date)s à %(time)s, %(room)s") % {
        "date": date_format(session.date, "l j F Y"),
        "time": session.start_time.strftime("%H:%M"),
        "room": session.room,
    }


def send_candidate_email(
    candidate: Candidate, name: str, *, session: Session, describe=describe_session, **context
) -> bool:
    """Queue ``sessions_app/emails/<name>`` to the candidate, in their language; the session
    is described (date in words, room) in that language too."""
    language = candidate_language(candidate)
    with translation.override(language):
        context = {"name": candidate.first_name, "session": describe(session), **context}
    return send_templated_email(
        recipient(candidate), f"sessions_app/emails/{name}", context, language=language
    )


def _email_outcome(registration: Registration, *, position: int | None = None):
    candidate = registration.candidate
    if registration.status == RegistrationStatus.CONFIRMED and _paying(registration):
        return  # billing's booking email (see below)
    priority = {
        "show_priority": candidate.kind != CandidateKind.EXTERNAL,
        "tier": candidate.priority_tier,
    }
    if registration.status == RegistrationStatus.CONFIRMED:
        send_candidate_email(
            candidate,
            "seat_confirmed",
            session=registration.session,
            hours=getattr(settings, "PIX_CANCELLATION_DEADLINE_HOURS", 72),
            **priority,
        )
    else:
        send_candidate_email(
            candidate,
            "seat_waitlisted",
            session=registration.session,
            position=position or registration.waitlist_position(),
            **priority,
        )


def _email_promotion(registration: Registration):
    if _paying(registration):
        return  # billing's booking email (see below)
    send_candidate_email(registration.candidate, "seat_promoted", session=registration.session)


def _email_session_cancelled(registration: Registration):
    send_candidate_email(registration.candidate, "session_cancelled", session=registration.session)


# An external candidate's confirmed seat makes a fee due: billing writes that email (the seat,
# the amount and how to pay, ``billing/emails.py``), so these two stay silent for externals.


def _paying(registration: Registration) -> bool:
    return registration.candidate.kind == CandidateKind.EXTERNAL


APPLICATION_TASK = "sessions_app.tasks.acknowledge_application"


def _email_application(application, *, session_ids) -> bool:
    """Acknowledge an application (or changed wishes): the ranked sessions and when seats are
    given. The apply request, the busiest of a registration opening, writes only the outbox
    row, published by the outbox's sweep seconds later: the task (:func:`application_email`)
    describes the wishes in the candidate's language and renders the email."""
    if not recipient(application.candidate) or emails_are_suppressed():
        return False
    enqueue_for_sweep(APPLICATION_TASK, application.pk, list(session_ids))
    return True


def application_email(application_id: int, session_ids) -> tuple[str, Email] | None:
    """The acknowledgement of :func:`_email_application`, rendered in the candidate's language
    with the wished sessions in rank order, and its recipient; None when there is nobody to
    write to any more (application or address gone)."""
    application = (
        Application.objects.select_related("candidate__user", "campaign")
        .filter(pk=application_id)
        .first()
    )
    to = recipient(application.candidate) if application else ""
    if not to:
        return None
    found = Session.objects.select_related("room").in_bulk(session_ids)
    sessions = [found[pk] for pk in session_ids if pk in found]
    language = candidate_language(application.candidate)
    with translation.override(language):
        wishes = "\n".join(
            f"{rank}. {describe_session(session)}" for rank, session in enumerate(sessions, 1)
        )
        closes = date_format(timezone.localtime(application.campaign.closes_at), "j F Y H:i")
    context = {
        "name": application.candidate.first_name,
        "campaign": str(application.campaign),
        "wishes": wishes,
        "closes": closes,
    }
    return to, render_email("sessions_app/emails/application_received", context, language=language)


def _email_cancellation(registration: Registration):
    """Acknowledge a cancelled seat (by the candidate or the centre)."""
    send_candidate_email(
        registration.candidate, "registration_cancelled", session=registration.session
    )
