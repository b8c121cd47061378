"""The signed-in user is read with their candidate record: one query, not two
(candidates/backends.py), whichever backend signed them in, and the sessions of the library
backends these replace are kept (migration candidates 0008)."""

import importlib

import pytest
from asgiref.sync import async_to_sync
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.backends import AuthenticationBackend, ModelBackend
from candidates.cas import UniversityCASBackend
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
BACKENDS = [ModelBackend, AuthenticationBackend, UniversityCASBackend]
rename = importlib.import_module("candidates.migrations.0008_sessions_of_the_renamed_backends")


def candidate_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if 'FROM "candidates_candidate"' in q["sql"]]


def test_a_candidate_page_reads_the_candidate_with_the_user(client, student):
    client.post(reverse("account_login"), {"login": student.email, "password": PASSWORD})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("sessions_app:mine"))
    assert response.status_code == 200
    assert "Léa" in response.content.decode()
    # the user's query joins the candidate; none reads it by its user afterwards
    users = [q["sql"] for q in queries.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    assert len(users) == 1 and 'JOIN "candidates_candidate"' in users[0]
    assert not candidate_queries(queries), candidate_queries(queries)


def test_an_account_without_candidate_record_is_not_asked_for_one_either(client, outsider):
    client.force_login(outsider)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("sessions_app:offer"))
    # sent to the identity form (no candidate record yet), without a query for the record
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("candidates:identity"))
    assert not candidate_queries(queries)


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda b: b.__name__)
def test_each_backend_reads_the_user_with_their_candidate(
    backend, student, django_assert_num_queries
):
    with django_assert_num_queries(1):
        user = backend().get_user(student.pk)
        assert user.candidate.first_name == "Léa"


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda b: b.__name__)
def test_each_backend_refuses_an_inactive_or_unknown_account(backend, student):
    assert backend().get_user(student.pk + 1000) is None
    student.is_active = False
    student.save()
    assert backend().get_user(student.pk) is None


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda b: b.__name__)
def test_each_backend_reads_the_user_with_their_candidate_async(
    backend, student, django_assert_num_queries
):
    user = async_to_sync(backend().aget_user)(student.pk)
    with django_assert_num_queries(0):
        assert user.candidate.first_name == "Léa"
    student.is_active = False
    student.save()
    assert async_to_sync(backend().aget_user)(student.pk) is None


def test_a_password_sign_in_keeps_one_of_our_backends_in_the_session(client, student):
    response = client.post(reverse("account_login"), {"login": student.email, "password": PASSWORD})
    assert response.status_code == 302
    path = client.session[BACKEND_SESSION_KEY]
    assert path in settings.AUTHENTICATION_BACKENDS and path.startswith("candidates.backends.")


def old_session(user, backend_path) -> SessionStore:
    """A session as a password sign-in wrote it before the backends were replaced."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = backend_path
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session


def signed_in(client, session) -> bool:
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client.get(reverse("sessions_app:mine")).status_code == 200


@pytest.mark.parametrize("old_path", sorted(rename.RENAMED))
def test_a_session_of_a_replaced_backend_stays_signed_in_after_the_migration(
    client, student, old_path
):
    session = old_session(student, old_path)
    assert not signed_in(client, session)  # what a deploy would do without the migration
    rename.forwards(django_apps, None)
    assert signed_in(client, session)
    stored = SessionStore(session.session_key).load()
    assert stored[BACKEND_SESSION_KEY] == rename.RENAMED[old_path]
    assert stored[SESSION_KEY] == str(student.pk)
    rename.backwards(django_apps, None)  # and back, for a code rolled back
    assert SessionStore(session.session_key).load()[BACKEND_SESSION_KEY] == old_path


def test_the_migration_leaves_cas_sessions_and_other_data_alone(student):
    session = old_session(student, "candidates.cas.UniversityCASBackend")
    session["_language"] = "en"
    session.save()
    rename.forwards(django_apps, None)
    stored = SessionStore(session.session_key).load()
    assert stored[BACKEND_SESSION_KEY] == "candidates.cas.UniversityCASBackend"
    assert stored["_language"] == "en"
