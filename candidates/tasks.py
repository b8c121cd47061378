"""Celery tasks: thin, idempotent wrappers around candidates.services."""

from celery import shared_task

from . import services


@shared_task
def run_profile_import(import_id: int) -> str:
    """Run a stored import once: a second delivery finds it claimed and does nothing."""
    result = services.run_stored_profile_import(import_id)
    return result.status if result else "already-claimed"


@shared_task
def compute_scores_task(candidate_ids: list[int] | None = None) -> int:
    """Recompute scores and tiers (all candidates when no ids): same result when run twice."""
    return services.compute_scores(candidate_ids)
