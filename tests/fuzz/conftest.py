"""Helpers of the fuzz tests.

Hypothesis runs many examples inside one pytest test, so the database of one example would
leak into the next. Each example therefore runs in :func:`rolled_back`: a savepoint rolled back
at the end, marked like the blocks Django's ``TestCase`` opens so that the application's
``atomic(durable=True)`` blocks may run inside it, exactly as they do in an ordinary test.
The client of :func:`client_for` runs the callbacks a request registers with
``transaction.on_commit`` (imports, e-mails, scores) when the request ends, as the commit at the
end of a real request would.
"""

import contextlib
import datetime as dt
import os
import re

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings

# FUZZ_EXAMPLES=500 for a deeper search than the suite's quick one.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 30)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


@contextlib.contextmanager
def rolled_back():
    block = transaction.atomic()
    block._from_testcase = True  # as TestCase._enter_atomics marks its own blocks
    with block:
        yield
        transaction.set_rollback(True)


class CommittingClient(Client):
    def post(self, path, data=None, *args, **kwargs):
        # A browser always sends the form's CSRF token (checks are off in tests): with it, a
        # form whose only field is a file is bound even when the browser drops the file.
        if data is None or isinstance(data, dict):
            data = {"csrfmiddlewaretoken": "token", **(data or {})}
        return super().post(path, data, *args, **kwargs)

    def request(self, **request):
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


def client_for(user) -> Client:
    """A fresh client signed in as ``user``: no message left over from another example."""
    client = CommittingClient()
    if user is not None:
        client.force_login(user)
    return client


def page(response) -> str:
    return response.content.decode(response.charset or "utf-8", errors="replace")


TRACEBACK = re.compile(r"Traceback \(most recent call last\)|Exception Value|Server Error")


def assert_no_crash(response) -> None:
    assert response.status_code < 500, response.status_code
    assert response.status_code not in (400,), "a bad request page is not a clear message"
    if response.get("Content-Type", "").startswith("text/html"):
        assert not TRACEBACK.search(page(response))


# How pages show an error: the shared form partial, a flashed message, Django's own form layout.
ERROR_MARKS = ('class="invalid-feedback', 'class="alert alert-danger', 'class="errorlist')


def assert_error_shown(response) -> None:
    """The form came back (200) with an error next to a field or above the form."""
    assert_no_crash(response)
    assert response.status_code == 200, response.status_code
    html = page(response)
    assert any(mark in html for mark in ERROR_MARKS), "no error message shown"


def flashed(response) -> list[tuple[str, str]]:
    """(level tag, text) of the messages queued by this request."""
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def assert_redirect_with_message(response) -> list[tuple[str, str]]:
    assert_no_crash(response)
    assert response.status_code == 302, response.status_code
    messages = flashed(response)
    assert messages, "an action button must say what happened"
    return messages


def assert_accepted_or_explained(response) -> bool:
    """A form page: accepted (a redirect), or shown again (200) with an error message."""
    assert_no_crash(response)
    if response.status_code == 302:
        return True
    assert_error_shown(response)
    return False


@pytest.fixture
def year(db):
    today = timezone.localdate()
    start = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    from candidates.models import AcademicYear

    return AcademicYear.objects.create(
        label=f"{start.year}-{start.year + 1}",
        start_date=start,
        end_date=dt.date(start.year + 1, 8, 31),
        student_quota=400,
    )


@pytest.fixture
def room(db):
    from sessions_app.models import Room

    return Room.objects.create(site="Centre-ville", name="Salle S1", capacity=24)
