"""A real Celery worker process on the configured Redis broker (CI runs this)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from pixcentre.celery import app as celery_app
from pixcentre.tasks import ping

BROKER_CONFIGURED = bool(os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL"))
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not BROKER_CONFIGURED, reason="needs CELERY_BROKER_URL (Redis); CI sets it"),
]


@pytest.fixture
def celery_worker_process():
    """Start ``celery worker`` on a queue of its own, so other workers cannot steal tasks."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CELERY_QUEUE": queue}
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "pixcentre", "worker", "--pool=solo",
         "--loglevel=warning", "-Q", queue, "-n", f"{queue}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            replies = celery_app.control.ping(
                destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5
            )
            if replies:
                break
            assert proc.poll() is None, proc.stdout.read().decode()
        else:
            pytest.fail("the Celery worker did not answer within 30 s")
        yield queue
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_task_round_trips_through_redis_and_a_real_worker(celery_worker_process):
    result = ping.apply_async(queue=celery_worker_process)
    assert result.get(timeout=20) == "pong"


@pytest.mark.django_db
def test_healthz_counts_the_running_worker(celery_worker_process, client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    data = client.get("/healthz").json()
    assert data["worker"]["ok"] is True
    assert data["worker"]["count"] >= 1
    assert data["status"] == "ok"
