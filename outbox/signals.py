"""A worker that starts publishes what waited while the broker was down."""

import logging

from celery.signals import worker_ready

logger = logging.getLogger(__name__)


@worker_ready.connect
def publish_waiting_tasks(**kwargs):
    from .dispatch import sweep

    try:
        result = sweep()
    except Exception:  # never keep a worker from starting
        logger.exception("Could not publish the waiting tasks at worker start-up")
        return
    if result["published"] or result["waiting"]:
        logger.info("Waiting tasks: %(published)s published, %(waiting)s still waiting", result)
