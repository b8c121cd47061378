"""Fault: a Celery worker is killed (SIGKILL) in the middle of a session's convocations.

Nothing is sent twice, and the next run (an administrator clicking again, or the next
reminder pass) sends the rest once the dead worker's claims have expired. A real worker on
Redis and PostgreSQL; documented in docs/reliability.md."""

import os
import signal
import time
import uuid

import pytest

from sessions_app.models import Convocation
from sessions_app.tasks import send_session_convocations

from .processes import celery_worker, convened_session, database_url, recipients, wait_for

BROKER = bool(os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL"))
pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not BROKER, reason="needs CELERY_BROKER_URL (Redis)"),
    pytest.mark.skipif(
        "postgres" not in os.environ.get("DATABASE_URL", ""),
        reason="the worker must share the test database: PostgreSQL only",
    ),
]

CANDIDATES = 10
SENT_BEFORE_THE_KILL = 3
LEASE_SECONDS = 2


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_sends_nothing_twice_and_the_next_run_sends_the_rest(
    year, room, settings, tmp_path
):
    session, expected = convened_session(year, room, CANDIDATES)
    mail_dir, markers = tmp_path / "mail", tmp_path / "held"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "EMAIL_URL": f"filemail:///{mail_dir}",  # four slashes: an absolute path
        "CONN_MAX_AGE": "0",
    }
    sent = Convocation.objects.filter(sent_at__isnull=False)

    first = f"fault-{uuid.uuid4().hex[:8]}"
    held = {
        **env,
        "CELERY_QUEUE": first,
        "EMAIL_BACKEND": "tests.faults.held_mail.HeldFileBackend",
        "HELD_MAIL_FREE": str(SENT_BEFORE_THE_KILL),
        "HELD_MAIL_MARKERS": str(markers),
    }
    with celery_worker(first, held, tmp_path / "worker-1.log") as worker:
        send_session_convocations.apply_async((session.pk,), queue=first)
        # Both pool processes hold a message each; what was written is recorded as sent.
        wait_for(
            lambda: markers.exists() and len(list(markers.iterdir())) == 2,
            timeout=90,
            what="the worker's two processes to be held mid-batch",
        )
        wait_for(
            lambda: sent.count() == sum(recipients(mail_dir).values()),
            timeout=10,
            what="sent_at of the written messages",
        )
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)

    sent_before = sent.count()
    assert SENT_BEFORE_THE_KILL <= sent_before < CANDIDATES
    assert all(n == 1 for n in recipients(mail_dir).values())
    # Each process claimed its batch at once (five convocations in one statement): what the
    # dead worker did not send stays claimed, the held two and the rest of their batches. A run
    # within the lease skips them, a run after it sends them.
    unsent = Convocation.objects.filter(sent_at=None)
    assert unsent.count() == CANDIDATES - sent_before
    assert unsent.filter(sending_since__isnull=False).count() == CANDIDATES - sent_before

    second = f"fault-{uuid.uuid4().hex[:8]}"
    env = {**env, "CELERY_QUEUE": second, "PIX_CONVOCATION_SEND_LEASE_SECONDS": "2"}
    with celery_worker(second, env, tmp_path / "worker-2.log"):
        time.sleep(LEASE_SECONDS + 0.5)
        send_session_convocations.apply_async((session.pk,), queue=second)
        wait_for(
            lambda: sent.count() == CANDIDATES,
            timeout=90,
            what="the next run to send the rest",
            interval=0.5,
        )
        time.sleep(1)  # a duplicate, if any, would have left by now

    assert recipients(mail_dir) == expected
