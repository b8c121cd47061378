"""Notification emails of sessions_app: sent from a task once the change is committed."""

import contextlib
import contextvars
import functools

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from candidates.models import Candidate, CandidateKind
from outbox.dispatch import enqueue

from ..models import (
    Registration,
    RegistrationStatus,
    Session,
)


def _recipient(candidate: Candidate) -> str:
    return candidate.convocation_email or (candidate.user.email if candidate.user_id else "")


_emails_suppressed = contextvars.ContextVar("sessions_emails_suppressed", default=False)


def emails_are_suppressed() -> bool:
    """True while the demo is made (billing's emails follow the same rule)."""
    return _emails_suppressed.get()


def candidate_language(candidate: Candidate) -> str:
    """The language the candidate reads the site in (their account's preference)."""
    user = candidate.user if candidate.user_id else None
    return getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE


def in_candidates_language(build):
    """``build(registration, …)`` writes its email in the candidate's language, not in the
    language of whoever's request (or task) made the change."""

    @functools.wraps(build)
    def wrapper(registration, *args, **kwargs):
        with translation.override(candidate_language(registration.candidate)):
            return build(registration, *args, **kwargs)

    return wrapper


@contextlib.contextmanager
def emails_suppressed():
    """Demo data is made through the services without writing to anybody."""
    token = _emails_suppressed.set(True)
    try:
        yield
    finally:
        _emails_suppressed.reset(token)


def _send_on_commit(candidate: Candidate, subject: str, body: str):
    """Emails leave only once the change is committed: a rolled-back seat sends nothing. They
    leave from a task: a mail server that is slow or down never fails the request whose change
    is already committed (``tasks.send_email`` retries)."""
    to = _recipient(candidate)
    if not to or _emails_suppressed.get():
        return
    full_subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}"
    signature = "\n\n" + _("L’équipe du %(centre)s\n%(contact)s") % {
        "centre": settings.PIX_CENTRE_NAME,
        "contact": settings.PIX_CENTRE_CONTACT_EMAIL,
    }
    enqueue("sessions_app.tasks.send_email", full_subject, body + signature, to)


def describe_session(session: Session) -> str:
    return _("le %(date)s à %(time)s, %(room)s") % {
        "date": date_format(session.date, "l j F Y"),
        "time": session.start_time.strftime("%H:%M"),
        "room": session.room,
    }


@in_candidates_language
def _email_outcome(registration: Registration, *, position: int | None = None):
    candidate = registration.candidate
    if registration.status == RegistrationStatus.CONFIRMED and _paying(registration):
        return  # billing's booking email (see below)
    hello = _("Bonjour %(name)s,") % {"name": candidate.first_name}
    if registration.status == RegistrationStatus.CONFIRMED:
        subject = _("Votre place en session de certification Pix est confirmée")
        body = _(
            "%(hello)s\n\nVotre place est confirmée pour la session de certification Pix "
            "%(session)s.\nVous pouvez annuler depuis votre espace jusqu’à %(hours)s heures "
            "avant le début de la session."
        ) % {
            "hello": hello,
            "session": describe_session(registration.session),
            "hours": getattr(settings, "PIX_CANCELLATION_DEADLINE_HOURS", 72),
        }
    else:
        subject = _("Vous êtes sur liste d’attente pour une session de certification Pix")
        body = _(
            "%(hello)s\n\nToutes les places de la session %(session)s sont attribuées. Vous êtes "
            "en position %(position)s sur sa liste d’attente ; nous vous écrirons si une place "
            "se libère."
        ) % {
            "hello": hello,
            "session": describe_session(registration.session),
            "position": position or registration.waitlist_position(),
        }
    if candidate.kind != CandidateKind.EXTERNAL:
        body += "\n\n" + (
            _("Votre niveau de priorité : %(tier)s (1 = le plus prioritaire).")
            % {"tier": candidate.priority_tier}
            if candidate.priority_tier
            else _("Votre niveau de priorité n’est pas encore calculé.")
        )
    _send_on_commit(candidate, subject, body)


@in_candidates_language
def _email_promotion(registration: Registration):
    candidate = registration.candidate
    if _paying(registration):
        return  # billing's booking email (see below)
    body = _(
        "Bonjour %(name)s,\n\nUne place s’est libérée : votre place est désormais confirmée pour "
        "la session de certification Pix %(session)s."
    ) % {"name": candidate.first_name, "session": describe_session(registration.session)}
    _send_on_commit(candidate, _("Une place s’est libérée pour vous"), body)


@in_candidates_language
def _email_session_cancelled(registration: Registration):
    candidate = registration.candidate
    body = _(
        "Bonjour %(name)s,\n\nLa session de certification Pix %(session)s est annulée. Votre "
        "inscription est annulée ; vous pouvez vous inscrire à une autre session depuis votre "
        "espace."
    ) % {"name": candidate.first_name, "session": describe_session(registration.session)}
    _send_on_commit(candidate, _("Session de certification Pix annulée"), body)


# An external candidate's confirmed seat makes a fee due: billing writes that email (the seat,
# the amount and how to pay, ``billing/emails.py``), so these two stay silent for externals.


def _paying(registration: Registration) -> bool:
    return registration.candidate.kind == CandidateKind.EXTERNAL


def _email_application(application):
    """Acknowledge an application (or changed wishes): the ranked sessions and when seats are
    given."""
    candidate = application.candidate
    with translation.override(candidate_language(candidate)):
        wishes = "\n".join(
            f"{wish.rank}. {describe_session(wish.session)}"
            for wish in application.wishes.select_related("session__room").order_by("rank")
        )
        body = _(
            "Bonjour %(name)s,\n\nNous avons bien reçu votre candidature à la campagne "
            "« %(campaign)s ». Vos vœux, du préféré au moins souhaité :\n%(wishes)s\n\n"
            "Les places seront attribuées à la clôture, le %(closes)s, par niveau de priorité "
            "puis par ordre de candidature : nous vous écrirons alors. Vous pouvez modifier vos "
            "vœux depuis votre espace jusque-là."
        ) % {
            "name": candidate.first_name,
            "campaign": application.campaign,
            "wishes": wishes,
            "closes": date_format(timezone.localtime(application.campaign.closes_at), "j F Y H:i"),
        }
        _send_on_commit(candidate, _("Votre candidature à la certification Pix"), body)


def _email_cancellation(registration: Registration):
    """Acknowledge a cancelled seat (by the candidate or the centre)."""
    candidate = registration.candidate
    with translation.override(candidate_language(candidate)):
        body = _(
            "Bonjour %(name)s,\n\nVotre inscription à la session de certification Pix "
            "%(session)s est annulée. Vous pouvez vous inscrire à une autre session depuis "
            "votre espace."
        ) % {"name": candidate.first_name, "session": describe_session(registration.session)}
        _send_on_commit(candidate, _("Votre inscription à la certification Pix est annulée"), body)
