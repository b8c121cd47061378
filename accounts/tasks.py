import logging
import smtplib

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="accounts.tasks.send_invitation", bind=True, max_retries=5)
def send_invitation(self, user_id: int) -> str:
    """Email an invited staff member the link to choose their password. Idempotent enough: a
    second run sends a second valid link (a reset key), never a changed account."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    from .models import User
    from .services import invitation_link

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password():
        return "skipped"  # deactivated meanwhile, or already signed in and chose a password
    with translation.override(user.preferred_language or "fr"):
        context = {"user": user, "link": invitation_link(user)}
        subject = render_to_string("accounts/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/invitation_email.txt", context)
    try:
        send_mail(subject, body, None, [user.email], fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            logger.error("Invitation to %s not sent: %s", user.email, exc)
            return "failed"
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
    return "sent"
