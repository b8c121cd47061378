"""Celery tasks of billing: thin, idempotent wrappers around services."""

import logging

from celery import shared_task
from django.db import OperationalError

logger = logging.getLogger(__name__)
# A mail server that refuses or is down (smtplib's errors are OSError): retried with backoff;
# in-process (no worker to come back later) logged, the request is not failed.
_TRANSIENT = (OSError,)


@shared_task(
    name="billing.tasks.generate_receipt_pdf",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def generate_receipt_pdf(receipt_id: int) -> dict:
    """Produce a receipt's PDF; a second run finds it stored and does nothing."""
    from .receipts import generate_receipt

    receipt = generate_receipt(receipt_id)
    if receipt is None:
        return {"receipt": receipt_id, "status": "missing"}
    return {"receipt": receipt_id, "status": "stored", "file": receipt.file.name}


def _send(task, send, object_id: int) -> str:
    try:
        return send(object_id)
    except _TRANSIENT as exc:
        if task.request.is_eager or task.request.retries >= task.max_retries:
            logger.error("%s for %s not sent: %s", task.name, object_id, exc)
            return "failed"
        raise task.retry(exc=exc, countdown=min(60 * 2**task.request.retries, 3600)) from exc


@shared_task(name="billing.tasks.send_receipt_email", bind=True, max_retries=5)
def send_receipt_email(self, receipt_id: int) -> str:
    """The receipt of a payment, by email, once (``emails.send_receipt_email``)."""
    from . import emails

    return _send(self, emails.send_receipt_email, receipt_id)


@shared_task(name="billing.tasks.send_refund_email", bind=True, max_retries=5)
def send_refund_email(self, refund_id: int) -> str:
    """A refund, by email, once, with the receipt (``emails.send_refund_email``)."""
    from . import emails

    return _send(self, emails.send_refund_email, refund_id)
