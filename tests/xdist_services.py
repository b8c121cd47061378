"""Loaded first (``make test`` passes ``-p tests.xdist_services``), before Django reads its
settings: under pytest-xdist (``make test`` runs two processes), each worker process gets a
Redis database of its own, as pytest-django gives it a test database of its own
(``test_<name>_gw0``, ``…_gw1``). Two processes sharing one Redis database would share one
Celery broker: a worker started by one process's test could take the other's tasks and run
them against the wrong test database.

``REDIS_URL=redis://host:6379/15`` gives ``/15`` to ``gw0``, ``/14`` to ``gw1``, and so on
down; a URL without a database number counts from 0 upwards. Without xdist, nothing changes.
"""

import os
import re

_DB = re.compile(r"^(redis://[^/]+)(?:/(\d+))?(.*)$")


def worker_url(url: str, worker: str) -> str:
    """The Redis URL for the xdist worker named ``worker`` (``gw0``, ``gw1``…)."""
    index = int(worker.removeprefix("gw"))
    match = _DB.match(url)
    if not match:
        return url
    host, db, rest = match.groups()
    number = int(db) - index if db else index
    if number < 0:
        raise ValueError(f"{url}: not enough Redis databases below it for worker {worker}")
    return f"{host}/{number}{rest}"


def _configure() -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        if os.environ.get(name):
            os.environ[name] = worker_url(os.environ[name], worker)


_configure()
