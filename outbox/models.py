"""A task waiting to reach the broker.

A row is written in the same transaction as the change that needs the task, and deleted once
the broker has taken the task. While a row exists, the task has not been handed over: Redis was
down, the process stopped between its commit and the publish, or the row was written for the
sweep (``for_sweep``, ``outbox.dispatch.enqueue_for_sweep``: nobody publishes it after the
commit). ``outbox.dispatch.sweep`` (Celery beat, every ``PIX_OUTBOX_SWEEP_SECONDS``, and each
worker at start-up) publishes what is left.
"""

from django.db import models
from django.utils import timezone


class PendingTask(models.Model):
    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Published by the next sweep, without the grace it leaves to the request that wrote a row.
    # (db_default: a process of the previous release, without the field, can still write rows)
    for_sweep = models.BooleanField(default=False, db_default=False)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)}"
