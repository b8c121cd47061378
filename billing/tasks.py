"""Celery tasks of billing: thin, idempotent wrappers around services."""

from celery import shared_task
from django.db import OperationalError


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=300, max_retries=5
)
def generate_receipt_pdf(receipt_id: int) -> dict:
    """Produce a receipt's PDF; a second run finds it stored and does nothing."""
    from .receipts import generate_receipt

    receipt = generate_receipt(receipt_id)
    if receipt is None:
        return {"receipt": receipt_id, "status": "missing"}
    return {"receipt": receipt_id, "status": "stored", "file": receipt.file.name}
