"""Celery tasks of sessions_app: thin, idempotent wrappers around services.

Task names are the dotted paths they had before the layer move (``sessions_app.tasks.*`` and,
for the invigilation tasks, ``sessions_app.invigilation_tasks.*``): Celery beat's schedule and
the outbox's waiting rows (``PendingTask.task_name``) name them, so they are written out here
and never change with the file a task lives in.
"""

import logging

from celery import shared_task
from django.db import OperationalError

from accounts.emails import send_backoff
from outbox.dispatch import enqueue_now

logger = logging.getLogger(__name__)


@shared_task(
    name="sessions_app.tasks.allocate_campaign_task",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def allocate_campaign_task(campaign_id: int) -> dict:
    """Allocate a closed campaign's seats. A second run finds it allocated and does nothing
    (the campaign row is locked and ``allocated_at`` re-checked), so no second email leaves."""
    from .models import Campaign
    from .services.campaigns import allocate_campaign

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


@shared_task(
    name="sessions_app.tasks.deliver_convocation", bind=True, max_retries=4, acks_late=True
)
def deliver_convocation(self, convocation_id: int) -> str:
    """Email one stored convocation, once. SMTP errors are retried with bounded backoff
    (1, 2, 4, 8 minutes); after the last try the convocation is shown as failed."""
    from .services import convocations

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


@shared_task(
    name="sessions_app.tasks.deliver_convocations", bind=True, max_retries=4, acks_late=True
)
def deliver_convocations(self, convocation_ids: list[int]) -> dict:
    """Email a batch of a session's stored convocations, each once. Those the mail server
    refused for a transient reason are tried again together, with the same bounded backoff as
    :func:`deliver_convocation` (1, 2, 4, 8 minutes); after the last try they are shown as
    failed. The others are not held back by them."""
    from .services import convocations

    delivery = convocations.deliver_convocations(convocation_ids)
    if not delivery.retry:
        return delivery.summary()
    retry = sorted(delivery.retry)
    if self.request.retries >= self.max_retries:
        for convocation_id, error in delivery.retry.items():
            convocations.mark_failed(convocation_id, error)
        return {**delivery.summary(), "failed": len(retry)}
    if self.request.is_eager:
        # In-process, as deliver_convocation does: retry here, at once, the same bounded times.
        return self.apply((retry,), retries=self.request.retries + 1, throw=True).result
    countdown = convocations.send_backoff(self.request.retries)
    raise self.retry(args=(retry,), countdown=countdown)


@shared_task(
    name="sessions_app.tasks.send_session_convocations",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def send_session_convocations(session_id: int) -> dict:
    """Generate the missing convocations of a session, then send the unsent ones in batches
    (``deliver_convocations``, a few per task). Safe to run again at any time: what is
    generated is kept, what is sent is never sent twice."""
    from .models import Session
    from .services import convocations

    session = Session.objects.filter(pk=session_id).first()
    if session is None:
        return {"session": session_id, "status": "missing"}
    if session.status not in convocations.LIVE_STATUSES:
        return {"session": session_id, "status": session.status}
    convocations.generate_session_convocations(session)
    to_send = convocations.convocations_to_send(session_id)
    for batch in convocations.batches(to_send):
        enqueue_now(deliver_convocations, batch)
    return {"session": session_id, "queued": len(to_send), **convocations.progress(session)}


@shared_task(name="sessions_app.tasks.acknowledge_application", bind=True, max_retries=5)
def acknowledge_application(self, application_id: int, session_ids: list[int]) -> str:
    """The acknowledgement of an application or of changed wishes, queued by the apply request
    (``services.mail._email_application``) and published by the outbox's sweep: described and
    rendered here, in the candidate's language, then sent with bounded retries."""
    from accounts.tasks import send_or_retry

    from .services.mail import application_email

    built = application_email(application_id, session_ids)
    if built is None:
        return "skipped"
    to, email = built
    return send_or_retry(self, email, to)


@shared_task(name="sessions_app.tasks.send_email", bind=True, max_retries=5)
def send_email(self, subject: str, body: str, to: str) -> str:
    """One notification email, as queued before accounts.tasks.send_email took the job (kept so
    that a PendingTask row written then still finds its task; nothing queues it any more).
    A mail server that refuses or is down is retried with the convocations' backoff; in-process
    (no worker to come back later) the failure is logged and the request is not failed."""
    from django.core.mail import send_mail

    try:
        send_mail(subject, body, None, [to], fail_silently=False)
    except _TRANSIENT_SEND_ERRORS as exc:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            logger.error("Email to %s not sent (%s): %s", to, subject, exc)
            return "failed"
        raise self.retry(exc=exc, countdown=send_backoff(self.request.retries)) from exc
    return "sent"


@shared_task(name="sessions_app.tasks.send_reminders")
def send_reminders(kind: str) -> dict:
    """Celery beat: the 7-day (``7d``) or 1-day (``1d``) reminders that are due, each once."""
    from .services import convocations

    return convocations.send_reminders(kind)


@shared_task(
    name="sessions_app.tasks.notify_result",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=4,
)
def notify_result(result_id: int) -> str:
    """Tell the candidate their result has arrived (once: claimed on ``notified_at``)."""
    from .services import results

    return results.notify_result(result_id)


@shared_task(
    name="sessions_app.tasks.compute_statistics",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def compute_statistics(academic_year_id: int | None = None) -> int:
    """Recompute the results statistics (all years, or one) and store a snapshot."""
    from .services import statistics

    return statistics.refresh(academic_year_id).pk


# --- Invigilation (issue 8) --------------------------------------------------------------------


@shared_task(
    name="sessions_app.invigilation_tasks.generate_attendance_sheet_task",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def generate_attendance_sheet_task(session_id: int) -> dict:
    """Produce the session's attendance sheet; a second run replaces it with the same file."""
    from .models import Session
    from .services.attendance import generate_attendance_sheet

    session = Session.objects.filter(pk=session_id).first()
    if session is None:
        return {"session": session_id, "status": "missing"}
    sheet = generate_attendance_sheet(session)
    return {"session": session_id, "status": "generated", "pages": sheet.pages}


@shared_task(
    name="sessions_app.invigilation_tasks.purge_invigilation_documents_task",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def purge_invigilation_documents_task() -> dict:
    """Delete attendance sheets and fraud reports older than PIX_DOCUMENT_RETENTION_DAYS."""
    from .services.attendance import purge_documents

    return purge_documents()


@shared_task(name="sessions_app.tasks.notify_assignment", bind=True, max_retries=4)
def notify_assignment(self, assignment_id: int) -> str:
    """Email an invigilator their new assignment with its calendar invitation, once (claimed on
    ``notified_at``). A mail server that refuses or is down is retried with the convocations'
    backoff; in-process (no worker to come back later) the failure is logged and the
    administrator's request is not failed."""
    from .services import convocations
    from .services.invigilation import notify_assignment as notify

    try:
        return notify(assignment_id)
    except _TRANSIENT_SEND_ERRORS as exc:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            logger.error("Assignment %s: email not sent: %s", assignment_id, exc)
            return "failed"
        raise self.retry(
            exc=exc, countdown=convocations.send_backoff(self.request.retries)
        ) from exc


@shared_task(name="sessions_app.tasks.notify_unassignment", bind=True, max_retries=4)
def notify_unassignment(self, cancellation_id: int) -> str:
    """Email an invigilator removed from a session the cancellation of their invitation, once
    (claimed on ``notified_at``), retried as the assignment email is."""
    from .services.invigilation import notify_unassignment as notify

    try:
        return notify(cancellation_id)
    except _TRANSIENT_SEND_ERRORS as exc:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            logger.error("Removed assignment %s: email not sent: %s", cancellation_id, exc)
            return "failed"
        raise self.retry(exc=exc, countdown=send_backoff(self.request.retries)) from exc
