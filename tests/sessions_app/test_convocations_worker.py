"""Convocations through Redis and a real Celery worker (2 processes): the same session's task
queued twice at once still sends each candidate exactly one email. Needs PostgreSQL (the
worker process shares the test database) and a broker; CI has both."""

import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from pixcentre.celery import app as celery_app
from sessions_app.models import Convocation, Registration, RegistrationSource, RegistrationStatus
from sessions_app.tasks import send_session_convocations
from tests.faults.processes import database_url, recipients

from .conftest import NOW, make_candidate, make_session

BROKER = bool(os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL"))
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not BROKER, reason="needs CELERY_BROKER_URL (Redis)"),
    pytest.mark.skipif(
        "postgres" not in os.environ.get("DATABASE_URL", ""),
        reason="the worker process must share the test database: PostgreSQL only",
    ),
]


@pytest.mark.django_db(transaction=True)
def test_the_same_session_queued_twice_at_once_sends_each_convocation_once(
    year, room, settings, tmp_path
):
    session = make_session(year, room, day=20, hour=14)
    registrations = [
        Registration.objects.create(
            candidate=make_candidate(), session=session, academic_year=year,
            status=RegistrationStatus.CONFIRMED, source=RegistrationSource.FIRST_COME,
            created_at=NOW,
        )
        for _ in range(4)
    ]  # fmt: skip
    queue = f"test-{uuid.uuid4().hex[:8]}"
    outbox = tmp_path / "mail"
    env = {
        **os.environ,
        "CELERY_QUEUE": queue,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "EMAIL_URL": f"filemail:///{outbox}",  # four slashes: an absolute path
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "pixcentre", "worker", "--concurrency=2",
         "--loglevel=warning", "-Q", queue, "-n", f"{queue}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not celery_app.control.ping(
            destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5
        ):
            assert proc.poll() is None and time.monotonic() < deadline, "worker did not start"
        runs = [send_session_convocations.apply_async((session.pk,), queue=queue) for _ in range(2)]
        for run in runs:
            run.get(timeout=120)
        sent = Convocation.objects.filter(sent_at__isnull=False)
        deadline = time.monotonic() + 60
        while sent.count() < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)  # a duplicate, if any, would have left by now
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    assert sent.count() == 4
    assert recipients(outbox) == Counter(r.candidate.convocation_email for r in registrations)
