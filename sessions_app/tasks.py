"""Celery tasks of sessions_app: thin, idempotent wrappers around services."""

import logging

from celery import shared_task
from django.db import OperationalError

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def allocate_campaign_task(campaign_id: int) -> dict:
    """Allocate a closed campaign's seats. A second run finds it allocated and does nothing
    (the campaign row is locked and ``allocated_at`` re-checked), so no second email leaves."""
    from .models import Campaign
    from .services import allocate_campaign

    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return {"campaign": campaign_id, "status": "missing"}
    result = allocate_campaign(campaign, acting_user=None)
    if result.already_done:
        return {"campaign": campaign_id, "status": "already_allocated"}
    return {
        "campaign": campaign_id,
        "status": "allocated",
        "confirmed": len(result.confirmed),
        "waitlisted": len(result.waitlisted),
    }


# --- Convocations, reminders and results (issue 6) ---------------------------------------------

_TRANSIENT_SEND_ERRORS = (OSError,)  # smtplib.SMTPException and connection errors are OSError


@shared_task(bind=True, max_retries=4, acks_late=True)
def deliver_convocation(self, convocation_id: int) -> str:
    """Email one stored convocation, once. SMTP errors are retried with bounded backoff
    (1, 2, 4, 8 minutes); after the last try the convocation is shown as failed."""
    from . import convocations

    try:
        return convocations.deliver_convocation(convocation_id)
    except _TRANSIENT_SEND_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            convocations.mark_failed(convocation_id, str(exc))
            return "failed"
        if self.request.is_eager:
            # In-process (embedded default, tests): no worker will come back later, and Celery
            # propagates an eager retry as an error; retry here, at once, the same bounded times.
            retry = self.apply((convocation_id,), retries=self.request.retries + 1, throw=True)
            return retry.result
        countdown = convocations.send_backoff(self.request.retries)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_session_convocations(session_id: int) -> dict:
    """Generate the missing convocations of a session, then send each unsent one. Safe to run
    again at any time: what is generated is kept, what is sent is never sent twice."""
    from . import convocations
    from .models import Session

    session = Session.objects.filter(pk=session_id).first()
    if session is None:
        return {"session": session_id, "status": "missing"}
    if session.status not in convocations.LIVE_STATUSES:
        return {"session": session_id, "status": session.status}
    convocations.generate_session_convocations(session)
    to_send = convocations.convocations_to_send(session_id)
    for convocation_id in to_send:
        deliver_convocation.delay(convocation_id)
    return {"session": session_id, "queued": len(to_send), **convocations.progress(session)}


@shared_task(bind=True, max_retries=5)
def send_email(self, subject: str, body: str, to: str) -> str:
    """One notification email (seat confirmed, waitlist, promotion, cancelled session...).
    A mail server that refuses or is down is retried with the convocations' backoff; in-process
    (no worker to come back later) the failure is logged and the request is not failed."""
    from django.core.mail import send_mail

    from . import convocations

    try:
        send_mail(subject, body, None, [to], fail_silently=False)
    except _TRANSIENT_SEND_ERRORS as exc:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            logger.error("Email to %s not sent (%s): %s", to, subject, exc)
            return "failed"
        raise self.retry(
            exc=exc, countdown=convocations.send_backoff(self.request.retries)
        ) from exc
    return "sent"


@shared_task
def send_reminders(kind: str) -> dict:
    """Celery beat: the 7-day (``7d``) or 1-day (``1d``) reminders that are due, each once."""
    from . import convocations

    return convocations.send_reminders(kind)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=4)
def notify_result(result_id: int) -> str:
    """Tell the candidate their result has arrived (once: claimed on ``notified_at``)."""
    from . import results

    return results.notify_result(result_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def compute_statistics(academic_year_id: int | None = None) -> int:
    """Recompute the results statistics (all years, or one) and store a snapshot."""
    from . import statistics

    return statistics.refresh(academic_year_id).pk


from .invigilation_tasks import (  # noqa: E402, F401  (invigilation: found by workers)
    generate_attendance_sheet_task,
    purge_invigilation_documents_task,
)
