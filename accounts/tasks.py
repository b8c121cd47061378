import logging
import smtplib

from celery import shared_task

logger = logging.getLogger(__name__)

_TRANSIENT_SEND_ERRORS = (smtplib.SMTPException, OSError)


@shared_task(name="accounts.tasks.send_email", bind=True, max_retries=5)
def send_email(self, subject: str, body: str, to: str, html: str | None = None) -> str:
    """One email rendered by ``accounts.emails.send_templated_email`` (seat confirmed, waitlist,
    promotion, cancelled session...). A mail server that refuses or is down is retried with
    bounded backoff; in-process (no worker to come back later) the failure is logged and the
    request is not failed."""
    from .emails import Email

    return send_or_retry(self, Email(subject, body, html), to)


@shared_task(name="accounts.tasks.send_templated_email", bind=True, max_retries=5)
def send_templated_email(self, to: str, template: str, context: dict, language: str) -> str:
    """One email queued with its template and context, rendered here in ``language``, then
    sent as :func:`send_email` sends. Nothing queues it since the apply acknowledgement got
    its own task (``sessions_app.tasks.acknowledge_application``): kept so that an outbox row
    written before still finds its task."""
    from .emails import render_email

    return send_or_retry(self, render_email(template, context, language=language), to)


def send_or_retry(task, email, to: str) -> str:
    """Send a rendered email from the bound ``task``: a mail server that refuses or is down is
    retried with bounded backoff; in-process (no worker to come back later) or after the last
    retry the failure is logged, never raised into a request."""
    from .emails import build_message, send_backoff

    try:
        build_message(email, to).send()
    except _TRANSIENT_SEND_ERRORS as exc:
        if task.request.is_eager or task.request.retries >= task.max_retries:
            logger.error("Email to %s not sent (%s): %s", to, email.subject, exc)
            return "failed"
        raise task.retry(exc=exc, countdown=send_backoff(task.request.retries)) from exc
    return "sent"


@shared_task(name="accounts.tasks.send_invitation", bind=True, max_retries=5)
def send_invitation(self, user_id: int) -> str:
    """Email an invited staff member the link to choose their password. Idempotent enough: a
    second run sends a second valid link (a reset key), never a changed account."""
    from .emails import build_message, language_of, render_email
    from .models import User
    from .services import invitation_link

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password():
        return "skipped"  # deactivated meanwhile, or already signed in and chose a password
    email = render_email(
        "accounts/invitation",
        {"user": user, "link": invitation_link(user)},
        language=language_of(user),
        prefixed=False,
    )
    try:
        build_message(email, user.email).send()
    except _TRANSIENT_SEND_ERRORS as exc:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            logger.error("Invitation to %s not sent: %s", user.email, exc)
            return "failed"
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
    return "sent"
