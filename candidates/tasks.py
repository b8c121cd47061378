"""Celery tasks: thin, idempotent wrappers around candidates.services.

Services queue them by these names through the outbox and never import this module.
"""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="candidates.tasks.run_profile_import")
def run_profile_import(import_id: int) -> str:
    """Run a stored import once: a second delivery finds it claimed and does nothing."""
    result = services.run_stored_profile_import(import_id)
    return result.status if result else "already-claimed"


@shared_task(name="candidates.tasks.compute_scores_task")
def compute_scores_task(candidate_ids: list[int] | None = None) -> int:
    """Recompute scores and tiers (all candidates when no ids): same result when run twice."""
    return services.compute_scores(candidate_ids)


@shared_task(name="candidates.tasks.send_invitation_task", bind=True, max_retries=5)
def send_invitation_task(self, invitation_id: int) -> str:
    """Email one invitation link: claimed on ``sent_at``, so a second delivery sends nothing. A
    mail server that refuses or is down is retried with backoff (the claim is released first);
    in-process, the failure is logged and the administrator's request is not failed (the
    invitation's page shows it unsent, and inviting again sends a new link)."""
    from .services import linking

    try:
        return linking.send_invitation(invitation_id)
    except OSError as exc:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            logger.error("Invitation %s not sent: %s", invitation_id, exc)
            return "failed"
        raise self.retry(exc=exc, countdown=min(600, 30 * 2**self.request.retries)) from exc
