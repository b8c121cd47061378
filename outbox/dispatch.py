"""Queue Celery tasks without losing them when the broker is down.

``enqueue(task, *args)`` replaces ``transaction.on_commit(lambda: task.delay(*args))``. The task
is named by its Celery name (``enqueue("sessions_app.tasks.send_email", ...)``, as Zulip's
``queue_json_publish`` names a queue), so that a service never imports the tasks that call it
back and the import graph has no cycle; a task object is accepted too (tasks and views, which
sit above the services, may import their tasks).

* In-process (no broker, the embedded default and the tests): the task runs after the commit,
  exactly as before.
* With a broker: a ``PendingTask`` row is written inside the caller's transaction, so the task
  exists exactly when the change that needs it is committed. After the commit the task is
  published and the row deleted. If Redis cannot be reached, the request still succeeds: the
  row stays, and ``sweep`` publishes it once Redis is back (Celery beat runs it every
  ``PIX_OUTBOX_SWEEP_SECONDS``, 10 by default, each worker runs it when it starts,
  ``manage.py publish_pending_tasks`` runs it by hand). The sweep leaves a row to the request
  that wrote it for ``SWEEP_GRACE``.

``enqueue_for_sweep(task, *args)`` leaves the publishing to the sweep: the row is written the
same way (``for_sweep``), nothing is done after the commit, and the next sweep publishes it
without waiting for the grace, within ``PIX_OUTBOX_SWEEP_SECONDS``. For a task that may start
a few seconds late (an acknowledgement email) queued by a request whose time matters most: the
apply POST of a registration opening (issue 17) then pays only the row's INSERT, not a second
transaction and a publish to Redis. In-process it runs after the commit, as ``enqueue``.

A task may thus be published twice (published, then the process dies before deleting its
row): every task given to ``enqueue`` must be idempotent, and ours are (each re-checks its
state: convocations sent once, allocation done once, results notified once).
"""

import json
import logging
from datetime import timedelta

from celery import current_app
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import PendingTask

logger = logging.getLogger(__name__)

# Publishing gives up quickly when the broker is unreachable: the row keeps the task.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
# The sweep leaves recent rows to the request that wrote them (it publishes right after commit),
# but for the rows written for it (``enqueue_for_sweep``).
SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 500


def _eager() -> bool:
    return bool(current_app.conf.task_always_eager)


def registered_task(name: str):
    """The task Celery knows by ``name``; the apps' ``tasks`` modules are imported if no code
    has imported them yet (a web process that only ever queued tasks by name)."""
    tasks = current_app.tasks
    if name not in tasks:
        current_app.loader.import_default_modules()
    return tasks[name]


def enqueue(task, *args, **kwargs) -> PendingTask | None:
    """Run the task (a Celery task name, or the task itself) with ``*args, **kwargs`` in the
    background once the current transaction commits."""
    return _enqueue(task, args, kwargs, for_sweep=False)


def enqueue_for_sweep(task, *args, **kwargs) -> PendingTask | None:
    """As :func:`enqueue`, but with a broker the request does not publish the task: the next
    sweep does (within ``PIX_OUTBOX_SWEEP_SECONDS``), and the caller pays only the row's
    INSERT. In-process, the task runs after the commit, as with :func:`enqueue`."""
    return _enqueue(task, args, kwargs, for_sweep=True)


def _enqueue(task, args, kwargs, *, for_sweep: bool) -> PendingTask | None:
    name = task if isinstance(task, str) else task.name
    if _eager():
        task = registered_task(name)
        transaction.on_commit(lambda: task.delay(*args, **kwargs))
        return None
    pending = PendingTask.objects.create(
        task_name=name, args=list(args), kwargs=kwargs, for_sweep=for_sweep
    )
    if not for_sweep:
        transaction.on_commit(lambda: publish(pending.pk))
    return pending


def enqueue_now(task, *args, **kwargs) -> PendingTask | None:
    """Queue at once, not after a commit: for a task that queues others (it runs outside any
    transaction of its own). With a broker the row is written first, so that a publish that
    fails leaves the task for the sweep, exactly as :func:`enqueue` does."""
    name = task if isinstance(task, str) else task.name
    if _eager():
        registered_task(name).delay(*args, **kwargs)
        return None
    pending = PendingTask.objects.create(task_name=name, args=list(args), kwargs=kwargs)
    publish(pending.pk)
    return pending


def publish(pending_id: int) -> bool:
    """Hand one waiting task to the broker and forget it. False if it is still waiting."""
    with transaction.atomic():
        taken = _take(pending_id)
        if taken is None:
            return False  # published meanwhile, or being published by another process
        task_name, args, kwargs = taken
        try:
            current_app.send_task(
                task_name,
                args=args,
                kwargs=kwargs,
                retry=True,
                retry_policy=PUBLISH_RETRY_POLICY,
                # Nobody waits for these results; with Redis down, subscribing to one would
                # retry for twenty seconds before the publish even starts.
                ignore_result=True,
            )
        except Exception as exc:  # broker unreachable: the row comes back, for the sweep
            transaction.set_rollback(True)
            failure = exc
        else:
            return True
    logger.warning("Broker unreachable, %s%s kept for later: %s", task_name, tuple(args), failure)
    PendingTask.objects.filter(pk=pending_id).update(
        attempts=F("attempts") + 1, last_attempt_at=timezone.now(), last_error=str(failure)[:300]
    )
    return False


def _take(pending_id: int):
    """Delete the row and return its task (name, args, kwargs), or None if it is gone or another
    process holds it (a sweep and the request that wrote it never publish it both). One
    statement, sent after every apply: the deletion is committed only once the broker has the
    task, and rolled back if it refuses it."""
    if connection.vendor == "postgresql":
        # Same round trip: this transaction's commit does not wait for the disk. Lost in a
        # server crash, the deletion only leaves the row for the sweep to publish again (a
        # task may be published twice, see above), and the request does not wait for a flush.
        sql = (
            "SET LOCAL synchronous_commit TO OFF; "
            "DELETE FROM outbox_pendingtask WHERE id = (SELECT id FROM outbox_pendingtask "
            "WHERE id = %s FOR UPDATE SKIP LOCKED) RETURNING task_name, args, kwargs"
        )
    else:  # SQLite: one writer at a time, nothing to skip
        sql = "DELETE FROM outbox_pendingtask WHERE id = %s RETURNING task_name, args, kwargs"
    with connection.cursor() as cursor:
        cursor.execute(sql, [pending_id])
        row = cursor.fetchone()
    if row is None:
        return None
    name, args, kwargs = row
    return name, _json(args), _json(kwargs)


def _json(value):
    return json.loads(value) if isinstance(value, str | bytes) else value


def sweep(grace: timedelta = SWEEP_GRACE) -> dict:
    """Publish the tasks still waiting, oldest first: those written for the sweep, and the
    others once ``grace`` has passed. Stops at the first broker failure. ``waiting``: the tasks
    due that are still there. With nothing due (most runs), one query (on ``created_at``'s
    index; the table holds only what has not been published)."""
    published = 0
    while True:
        due = Q(for_sweep=True) | Q(created_at__lte=timezone.now() - grace)
        ids = list(PendingTask.objects.filter(due).values_list("pk", flat=True)[:SWEEP_BATCH])
        if not ids:
            return {"published": published, "waiting": 0}
        for pending_id in ids:
            if publish(pending_id):
                published += 1
            elif PendingTask.objects.filter(pk=pending_id).exists():
                # the broker is still down: the next sweep tries again
                return {"published": published, "waiting": PendingTask.objects.filter(due).count()}
        if len(ids) < SWEEP_BATCH:
            return {"published": published, "waiting": 0}
