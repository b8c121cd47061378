"""Fault: Redis stops under a running site, then comes back.

A Redis server of the test's own (the shared one is left alone) is the broker and the cache of
a real gunicorn and of a real Celery worker with beat. With Redis stopped, the pages still
answer, an administrator still signs in and asks for a session's convocations, and that task
waits in the outbox; Redis comes back, the periodic sweep publishes the task, the worker sends
every convocation, once. Documented in docs/reliability.md.
"""

import json
import os
import uuid

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from accounts.models import Role
from outbox.models import PendingTask
from sessions_app.models import Convocation
from tests.conftest import PASSWORD, make_user

from .processes import (
    REDIS_SERVER,
    Browser,
    RedisServer,
    celery_worker,
    convened_session,
    database_url,
    free_port,
    gunicorn,
    recipients,
    wait_for,
)

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not REDIS_SERVER, reason="needs redis-server (Debian package redis-server)"),
    pytest.mark.skipif(
        "postgres" not in os.environ.get("DATABASE_URL", ""),
        reason="gunicorn and the worker must share the test database: PostgreSQL only",
    ),
]

CANDIDATES = 5


@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_pages_work_and_the_queued_task_runs_when_it_is_back(
    year, room, settings, tmp_path
):
    admin = make_user("gestion.panne@univ-avignon.fr", Role.ADMINISTRATOR)
    # gunicorn runs with the real settings: hash the password the way they verify it.
    admin.password = PBKDF2PasswordHasher().encode(PASSWORD, "faultsalt")
    admin.save(update_fields=["password"])
    session, expected = convened_session(year, room, CANDIDATES)
    redis = RedisServer(free_port(), tmp_path)
    mail_dir = tmp_path / "mail"
    queue = f"fault-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis.url,
        "CELERY_BROKER_URL": redis.url,
        "CELERY_RESULT_BACKEND": redis.url,
        "CELERY_QUEUE": queue,
        "PIX_OUTBOX_SWEEP_SECONDS": "2",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "EMAIL_URL": f"filemail:///{mail_dir}",  # four slashes: an absolute path
        "CONN_MAX_AGE": "0",
    }
    port = free_port()
    site = Browser(f"http://127.0.0.1:{port}")
    redis.start()
    try:
        with (
            gunicorn(port, env, tmp_path / "gunicorn.log"),
            celery_worker(queue, env, tmp_path / "worker.log", beat_schedule=tmp_path / "beat"),
        ):
            # gunicorn's worker reads the birthplace referentials as it starts (pixcentre/wsgi.py)
            wait_for(lambda: site.request("/healthz")[0] == 200, timeout=60, what="gunicorn")

            redis.stop()
            # Pages that read the cache (sign-in rate limits) and the database still answer.
            assert site.request("/")[0] == 200
            site.sign_in(admin.email, PASSWORD)
            status, _, html = site.request(f"/convocations/session/{session.pk}/")
            assert status == 200
            status, _, html = site.submit(f"/convocations/session/{session.pk}/")
            assert status == 200 and "L’envoi des convocations est lancé" in html
            # The task waits in the database, not in the dead broker.
            pending = PendingTask.objects.get()
            assert pending.task_name == "sessions_app.tasks.send_session_convocations"
            assert pending.args == [session.pk]
            health = json.loads(site.request("/healthz")[2])
            assert health["status"] == "degraded"
            assert health["broker"]["ok"] is False
            assert health["waiting_tasks"] == 1
            assert Convocation.objects.filter(sent_at__isnull=False).count() == 0

            redis.start()
            # Beat's sweep publishes the waiting task; the worker sends each convocation.
            wait_for(
                lambda: Convocation.objects.filter(sent_at__isnull=False).count() == CANDIDATES,
                timeout=120,
                what="the convocations to go out after Redis came back",
                interval=0.5,
            )
            assert PendingTask.objects.count() == 0
            assert json.loads(site.request("/healthz")[2])["waiting_tasks"] == 0
    finally:
        redis.stop()

    assert recipients(mail_dir) == expected
