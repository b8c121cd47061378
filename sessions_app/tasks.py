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
