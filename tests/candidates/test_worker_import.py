"""The profile import through Redis and a real Celery worker: the page polls the JSON progress
endpoint until the worker has finished (CI runs this; skipped without a broker)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.urls import reverse

from candidates.models import Candidate, ImportStatus, ProfileImport
from pixcentre.celery import app as celery_app

from .conftest import make_export, participant

BROKER_CONFIGURED = bool(os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL"))
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not BROKER_CONFIGURED or connection.vendor != "postgresql",
        reason="needs Redis and PostgreSQL (a worker process cannot share an in-memory SQLite)",
    ),
]


@pytest.fixture
def worker_queue(settings):
    """A worker on a queue of its own, on the test database and the test's media folder."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "CELERY_QUEUE": queue,
        "DATABASE_URL": (
            f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}"
            f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "pixcentre", "worker", "--pool=solo",
         "--loglevel=warning", "-Q", queue, "-n", f"{queue}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    previous = celery_app.conf.task_default_queue, celery_app.conf.task_always_eager
    celery_app.conf.task_default_queue, celery_app.conf.task_always_eager = queue, False
    try:
        deadline = time.monotonic() + 30
        while not celery_app.control.ping(
            destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5
        ):
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.monotonic() < deadline, "the Celery worker did not answer within 30 s"
        yield queue
    finally:
        celery_app.conf.task_default_queue, celery_app.conf.task_always_eager = previous
        proc.terminate()
        proc.wait(timeout=20)


def test_upload_runs_in_the_worker_and_the_progress_endpoint_follows_it(
    worker_queue, client, administrator, referential
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = make_export([participant(n) for n in range(1, 3001)])
    client.force_login(administrator)
    response = client.post(
        reverse("candidates:imports"), {"file": SimpleUploadedFile("big.csv", data)}
    )
    imp = ProfileImport.objects.get()
    assert response["Location"] == reverse("candidates:import_detail", args=[imp.pk])
    seen = []
    deadline = time.monotonic() + 120
    while True:
        progress = client.get(reverse("candidates:import_progress", args=[imp.pk])).json()
        seen.append(progress["percent"])
        if progress["finished"]:
            break
        assert time.monotonic() < deadline, f"import not finished: {progress}"
        time.sleep(0.2)
    imp.refresh_from_db()
    assert imp.status == ImportStatus.DONE and imp.created_count == 3000
    assert seen[-1] == 100
    deadline = time.monotonic() + 60  # then the worker computes the scores
    while Candidate.objects.filter(priority_tier__isnull=True).exists():
        assert time.monotonic() < deadline
        time.sleep(0.2)
