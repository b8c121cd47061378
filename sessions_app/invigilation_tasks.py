"""Celery tasks of the invigilation part: thin, idempotent wrappers around
``sessions_app/invigilation.py`` (imported at the end of ``tasks.py`` so workers find them)."""

from celery import shared_task
from django.db import OperationalError


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=300, max_retries=5
)
def generate_attendance_sheet_task(session_id: int) -> dict:
    """Produce the session's attendance sheet; a second run replaces it with the same file."""
    from .invigilation import generate_attendance_sheet
    from .models import Session

    session = Session.objects.filter(pk=session_id).first()
    if session is None:
        return {"session": session_id, "status": "missing"}
    sheet = generate_attendance_sheet(session)
    return {"session": session_id, "status": "generated", "pages": sheet.pages}


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=300, max_retries=5
)
def purge_invigilation_documents_task() -> dict:
    """Delete attendance sheets and fraud reports older than PIX_DOCUMENT_RETENTION_DAYS."""
    from .invigilation import purge_documents

    return purge_documents()
