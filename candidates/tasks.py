"""Celery tasks: thin, idempotent wrappers around candidates.services.

Services queue them by these names through the outbox and never import this module.
"""

from celery import shared_task

from . import services
from .services import linking


@shared_task(name="candidates.tasks.run_profile_import")
def run_profile_import(import_id: int) -> str:
    """Run a stored import once: a second delivery finds it claimed and does nothing."""
    result = services.run_stored_profile_import(import_id)
    return result.status if result else "already-claimed"


@shared_task(name="candidates.tasks.compute_scores_task")
def compute_scores_task(candidate_ids: list[int] | None = None) -> int:
    """Recompute scores and tiers (all candidates when no ids): same result when run twice."""
    return services.compute_scores(candidate_ids)


@shared_task(name="candidates.tasks.send_invitation_task")
def send_invitation_task(invitation_id: int) -> str:
    """For an invitation made before invitations queued their own email (a row under this name
    may still wait in the outbox): queue that email through accounts.emails, once (claimed on
    ``sent_at``). The sending, and its retries, is ``accounts.tasks.send_email``'s."""
    return linking.send_invitation(invitation_id)
