"""State of the services the centre depends on, for ``/healthz``.

Each check answers a small dict and never raises: a stopped service is reported, not a crash.
The page is public (load balancers and monitoring read it), so an error is named by its kind
only; the full message goes to the log.
"""

import logging

from django.conf import settings
from django.db import connection

from outbox.models import PendingTask

from .celery import app as celery_app

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2
WORKER_TIMEOUT_SECONDS = 1.0


def _error(check: str, exc: Exception) -> str:
    """What the public page says about a failure: its kind, never its message."""
    logger.warning("Health check %s failed: %s", check, exc)
    return type(exc).__name__


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "engine": connection.vendor, "error": _error("database", exc)}
    return {"ok": True, "engine": connection.vendor}


def _in_process() -> bool:
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


def check_broker() -> dict:
    if _in_process():
        return {"ok": True, "mode": "in-process"}
    try:
        with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as exc:
        return {"ok": False, "mode": "broker", "error": _error("broker", exc)}
    return {"ok": True, "mode": "broker"}


def check_workers(broker_ok: bool) -> dict:
    if _in_process():
        return {"ok": True, "mode": "in-process", "count": 0}
    if not broker_ok:
        return {"ok": False, "mode": "broker", "count": 0, "error": "broker unreachable"}
    try:
        replies = celery_app.control.ping(timeout=WORKER_TIMEOUT_SECONDS) or []
    except Exception as exc:
        return {"ok": False, "mode": "broker", "count": 0, "error": _error("workers", exc)}
    return {"ok": bool(replies), "mode": "broker", "count": len(replies)}


def report() -> dict:
    database = check_database()
    broker = check_broker()
    workers = check_workers(broker["ok"])
    waiting = check_waiting_tasks(database["ok"])
    if not database["ok"]:
        status = "error"  # nothing can be served
    elif not (broker["ok"] and workers["ok"]):
        # Pages work; background work waits in the outbox for Redis or for a worker.
        status = "degraded"
    else:
        status = "ok"
    return {
        "status": status,
        "database": database,
        "broker": broker,
        "worker": workers,
        "waiting_tasks": waiting,
    }


def check_waiting_tasks(database_ok: bool) -> int | None:
    """How many tasks wait in the outbox for the broker (None when the database is down)."""
    if not database_ok:
        return None
    try:
        return PendingTask.objects.count()
    except Exception as exc:
        _error("outbox", exc)
        return None
