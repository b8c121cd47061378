import os

import pytest

from pixcentre import health

BROKER_CONFIGURED = bool(os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL"))


@pytest.mark.django_db
def test_healthz_in_process_reports_ok(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok"
    assert data["database"]["ok"] is True
    assert data["broker"] == {"ok": True, "mode": "in-process"}


@pytest.mark.django_db
def test_healthz_reports_a_stopped_broker_as_degraded_instead_of_crashing(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Nothing listens on port 1: this is a broker that is down.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    # Pages still work and tasks wait in the outbox: degraded, not down.
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "degraded"
    assert data["database"]["ok"] is True
    assert data["broker"]["ok"] is False
    assert data["worker"]["ok"] is False
    assert data["waiting_tasks"] == 0


@pytest.mark.django_db
def test_healthz_names_an_error_without_its_message(client, monkeypatch):
    def broken_cursor():
        raise RuntimeError("could not connect to server at 10.0.0.7 as user pixcentre")

    monkeypatch.setattr(health.connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {
        "ok": False,
        "engine": health.connection.vendor,
        "error": "RuntimeError",
    }
    assert b"10.0.0.7" not in response.content


@pytest.mark.skipif(not BROKER_CONFIGURED, reason="needs CELERY_BROKER_URL (Redis); CI sets it")
@pytest.mark.django_db
def test_healthz_on_postgresql_and_redis_says_ok_for_database_and_broker(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    data = client.get("/healthz").json()
    assert data["database"] == {"ok": True, "engine": "postgresql"}
    assert data["broker"] == {"ok": True, "mode": "broker"}


@pytest.mark.django_db
def test_a_failing_database_is_reported(monkeypatch):
    def broken_cursor():
        raise RuntimeError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", broken_cursor)
    assert health.check_database()["ok"] is False
