from celery import shared_task


@shared_task(name="outbox.tasks.sweep_pending_tasks", ignore_result=True)
def sweep_pending_tasks() -> dict:
    """Celery beat, every ``PIX_OUTBOX_SWEEP_SECONDS`` (10): publish the tasks written for the
    sweep and those that could not reach the broker."""
    from .dispatch import sweep

    return sweep()
