"""With the database unreachable, a page answers 503 with Retry-After and a sentence, not the
generic error page (the PostgreSQL-restart run, docs/reliability.md, showed 500s)."""

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

pytestmark = pytest.mark.django_db


def test_a_page_needing_the_database_answers_503_with_a_sentence(client, student, monkeypatch):
    client.force_login(student)

    def refused(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(CursorWrapper, "execute", refused)
    response = client.get("/sessions/mon-inscription/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "Service momentanément indisponible" in body
    assert "server closed the connection" not in body


def test_other_errors_are_left_to_django(client, administrator, monkeypatch):
    client.force_login(administrator)
    monkeypatch.setattr(CursorWrapper, "execute", lambda *a, **k: 1 / 0)
    client.raise_request_exception = False
    assert client.get("/sessions/").status_code == 500
