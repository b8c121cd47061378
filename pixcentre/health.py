"""State of the services the centre depends on, for ``/healthz``.

Each check answers a small dict and never raises: a stopped service is reported, not a crash.
"""

from django.conf import settings
from django.db import connection

from .celery import app as celery_app

BROKER_TIMEOUT_SECONDS = 2
WORKER_TIMEOUT_SECONDS = 1.0


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "engine": connection.vendor, "error": str(exc)[:200]}
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
        return {"ok": False, "mode": "broker", "error": str(exc)[:200]}
    return {"ok": True, "mode": "broker"}


def check_workers(broker_ok: bool) -> dict:
    if _in_process():
        return {"ok": True, "mode": "in-process", "count": 0}
    if not broker_ok:
        return {"ok": False, "mode": "broker", "count": 0, "error": "broker unreachable"}
    try:
        replies = celery_app.control.ping(timeout=WORKER_TIMEOUT_SECONDS) or []
    except Exception as exc:
        return {"ok": False, "mode": "broker", "count": 0, "error": str(exc)[:200]}
    return {"ok": bool(replies), "mode": "broker", "count": len(replies)}


def report() -> dict:
    database = check_database()
    broker = check_broker()
    workers = check_workers(broker["ok"])
    healthy = database["ok"] and broker["ok"]
    if not healthy:
        status = "error"
    elif not workers["ok"]:
        status = "degraded"  # pages work; background work waits for a worker
    else:
        status = "ok"
    return {"status": status, "database": database, "broker": broker, "worker": workers}
