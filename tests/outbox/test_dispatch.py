"""The outbox: a task is written with the change that needs it and survives a broker that is
down. The broker boundary (``send_task``) is replaced here to make it fail or record; the real
thing, a Redis server stopped and started again under a running site, is
tests/faults/test_redis_stopped.py."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from outbox import dispatch
from outbox.models import PendingTask
from pixcentre.celery import app as celery_app
from pixcentre.tasks import ping


@pytest.fixture
def broker_mode(monkeypatch):
    """Tasks go to a broker (not in-process); the broker records what it is given."""
    # Not monkeypatch: its undo would run after tests/conftest.py's _celery_in_process restored
    # the value, and leave tasks in-process for the worker tests that follow.
    celery_app.conf.task_always_eager = False
    sent = []

    def send_task(name, args=None, kwargs=None, **options):
        sent.append((name, list(args or []), dict(kwargs or {})))

    monkeypatch.setattr(celery_app, "send_task", send_task)
    return sent


@pytest.fixture
def broker_down(broker_mode, monkeypatch):
    def send_task(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(celery_app, "send_task", send_task)
    return broker_mode


@pytest.mark.django_db(transaction=True)
def test_in_process_the_task_runs_after_commit_and_nothing_is_stored(monkeypatch):
    calls = []
    monkeypatch.setattr(ping, "delay", lambda *a, **k: calls.append(a))
    with transaction.atomic():
        assert dispatch.enqueue(ping) is None
        assert calls == []  # not before the commit
    assert calls == [()]
    assert PendingTask.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_with_a_broker_the_task_is_published_after_commit_and_forgotten(broker_mode):
    with transaction.atomic():
        pending = dispatch.enqueue(ping, 7, kind="x")
        assert PendingTask.objects.filter(pk=pending.pk).exists()
        assert broker_mode == []
    assert broker_mode == [("pixcentre.tasks.ping", [7], {"kind": "x"})]
    assert PendingTask.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_task(broker_mode):
    with pytest.raises(RuntimeError), transaction.atomic():
        dispatch.enqueue(ping)
        raise RuntimeError("the change failed")
    assert PendingTask.objects.count() == 0
    assert broker_mode == []


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_is_down_keeps_the_task_and_the_sweep_sends_it_later(
    broker_down, monkeypatch
):
    with transaction.atomic():
        dispatch.enqueue(ping, 1)
    pending = PendingTask.objects.get()  # the request succeeded; the task waits
    assert pending.attempts == 1
    assert "Connection refused" in pending.last_error

    assert dispatch.sweep(grace=timedelta(0)) == {"published": 0, "waiting": 1}
    assert PendingTask.objects.get().attempts == 2

    sent = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, args, kwargs, **o: sent.append(args))
    # The request that wrote a row publishes it itself: the periodic sweep leaves young rows
    # (none is due: nothing counted as waiting for the sweep).
    assert dispatch.sweep() == {"published": 0, "waiting": 0}
    assert PendingTask.objects.count() == 1
    PendingTask.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    assert dispatch.sweep() == {"published": 1, "waiting": 0}
    assert sent == [[1]]


@pytest.mark.django_db(transaction=True)
def test_the_sweep_stops_at_the_first_failure_and_keeps_the_order(broker_down):
    for n in range(3):
        dispatch.enqueue(ping, n)
    assert dispatch.sweep(grace=timedelta(0)) == {"published": 0, "waiting": 3}
    attempts = list(PendingTask.objects.values_list("args", "attempts"))
    # Each was tried once when made; the sweep gave up after the first one failed again.
    assert attempts == [([0], 2), ([1], 1), ([2], 1)]


@pytest.mark.django_db(transaction=True)
def test_the_command_publishes_everything_waiting(broker_down, monkeypatch, capsys):
    dispatch.enqueue(ping, 5)
    monkeypatch.setattr(celery_app, "send_task", lambda *a, **k: None)
    call_command("publish_pending_tasks")
    assert "1 task(s) published, 0 still waiting." in capsys.readouterr().out
    assert PendingTask.objects.count() == 0


def test_the_beat_schedule_runs_the_sweep_every_ten_seconds():
    """Often enough that a task left to the sweep (the apply acknowledgement) is published
    within seconds."""
    from django.conf import settings

    from outbox.tasks import sweep_pending_tasks

    entry = settings.CELERY_BEAT_SCHEDULE["publish-pending-tasks"]
    assert entry["task"] == sweep_pending_tasks.name
    assert entry["schedule"] == 10.0


# --- tasks left to the sweep (enqueue_for_sweep) ---------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_task_left_to_the_sweep_is_not_published_at_commit(broker_mode):
    with transaction.atomic():
        pending = dispatch.enqueue_for_sweep("pixcentre.tasks.ping", 4, kind="ack")
    assert broker_mode == []  # the request publishes nothing
    stored = PendingTask.objects.get()
    assert (stored.pk, stored.for_sweep, stored.attempts) == (pending.pk, True, 0)


@pytest.mark.django_db(transaction=True)
def test_the_next_sweep_publishes_a_task_left_to_it_without_the_grace(broker_mode):
    with transaction.atomic():
        dispatch.enqueue("pixcentre.tasks.ping", 1)  # published by its request
        dispatch.enqueue_for_sweep("pixcentre.tasks.ping", 2)
    PendingTask.objects.create(task_name="pixcentre.tasks.ping", args=[3])  # a young row
    broker_mode.clear()
    # written a moment ago, still inside SWEEP_GRACE: taken all the same
    assert dispatch.sweep() == {"published": 1, "waiting": 0}
    assert broker_mode == [("pixcentre.tasks.ping", [2], {})]
    # the young row is left to its request (it would publish it after its commit)
    assert list(PendingTask.objects.values_list("args", flat=True)) == [[3]]


@pytest.mark.django_db(transaction=True)
def test_the_sweep_keeps_a_task_left_to_it_while_the_broker_is_down(broker_down, monkeypatch):
    with transaction.atomic():
        dispatch.enqueue_for_sweep("pixcentre.tasks.ping", 6)
    assert dispatch.sweep() == {"published": 0, "waiting": 1}
    pending = PendingTask.objects.get()
    assert pending.attempts == 1 and "Connection refused" in pending.last_error
    sent = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, args, kwargs, **o: sent.append(args))
    assert dispatch.sweep() == {"published": 1, "waiting": 0}  # Redis is back
    assert sent == [[6]] and PendingTask.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_in_process_a_task_left_to_the_sweep_runs_after_commit(monkeypatch):
    """The embedded default (no broker): as ``enqueue``, nothing stored, no sweep needed."""
    calls = []
    monkeypatch.setattr(ping, "delay", lambda *a, **k: calls.append((a, k)))
    with transaction.atomic():
        assert dispatch.enqueue_for_sweep("pixcentre.tasks.ping", 8, kind="ack") is None
        assert calls == []
    assert calls == [((8,), {"kind": "ack"})]
    assert PendingTask.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_sweep_with_nothing_due_is_one_query(broker_mode, django_assert_num_queries):
    PendingTask.objects.create(task_name="pixcentre.tasks.ping")  # young, its request's
    with django_assert_num_queries(1):
        assert dispatch.sweep() == {"published": 0, "waiting": 0}
    assert broker_mode == []


@pytest.mark.django_db(transaction=True)
def test_one_sweep_takes_every_batch_due(broker_mode, monkeypatch):
    """A registration opening can leave more acknowledgements than one batch between sweeps."""
    monkeypatch.setattr(dispatch, "SWEEP_BATCH", 2)
    for n in range(5):
        dispatch.enqueue_for_sweep("pixcentre.tasks.ping", n)
    assert dispatch.sweep() == {"published": 5, "waiting": 0}
    assert [args for _name, args, _kwargs in broker_mode] == [[0], [1], [2], [3], [4]]


# Nothing queues a task around the outbox: tests/test_layers.py reads every call.


@pytest.mark.django_db(transaction=True)
def test_a_task_named_by_its_celery_name_runs_after_commit_in_process(monkeypatch):
    """Services name their tasks (they never import them): the name finds the same task."""
    calls = []
    monkeypatch.setattr(ping, "delay", lambda *a, **k: calls.append(a))
    with transaction.atomic():
        assert dispatch.enqueue("pixcentre.tasks.ping", 3) is None
        assert calls == []
    assert calls == [(3,)]


@pytest.mark.django_db(transaction=True)
def test_a_task_named_by_its_celery_name_waits_in_the_outbox_with_a_broker(broker_mode):
    with transaction.atomic():
        pending = dispatch.enqueue("pixcentre.tasks.ping", 3)
        assert pending.task_name == "pixcentre.tasks.ping"
    assert broker_mode == [("pixcentre.tasks.ping", [3], {})]
    assert PendingTask.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_enqueue_now_publishes_at_once_and_keeps_the_row_when_the_broker_is_down(broker_down):
    """A task queueing others (no transaction of its own) does not wait for a commit."""
    pending = dispatch.enqueue_now("pixcentre.tasks.ping", 5)
    assert PendingTask.objects.filter(pk=pending.pk, attempts=1).exists()


@pytest.mark.django_db(transaction=True)
def test_enqueue_now_with_a_broker_that_answers_leaves_nothing_waiting(broker_mode):
    dispatch.enqueue_now(ping, 5)
    assert broker_mode == [("pixcentre.tasks.ping", [5], {})]
    assert PendingTask.objects.count() == 0
