from celery import shared_task


@shared_task(name="outbox.tasks.sweep_pending_tasks", ignore_result=True)
def sweep_pending_tasks() -> dict:
    """Celery beat, every minute: publish the tasks that could not reach the broker."""
    from .dispatch import sweep

    return sweep()
