"""Query-count guards for a session's convocations (issue 17): reading a session's candidates
and their convocations costs the same few queries for 2 candidates as for 6; what grows with the
candidates is only the writes each convocation needs on its own row — the conditional UPDATE
that stores its file (so that the administrator's page counts them as they are made, and two
runs never both store one), its « sent » mark and its audit row; a batch's send claims are one
statement."""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pixcentre import pdf
from sessions_app.models import Convocation
from sessions_app.services import convocations

from .conftest import make_candidate, make_session
from .test_convocations import register

pytestmark = pytest.mark.django_db

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def statements(run) -> Counter:
    """``{"SELECT sessions_app_registration": 1, ...}``: each statement by its verb and its
    first table, transaction control left out (SQLite logs it, PostgreSQL does not)."""
    with CaptureQueriesContext(connection) as captured:
        run()
    counts = Counter()
    for query in captured.captured_queries:
        sql = query["sql"]
        if sql.startswith(TRANSACTION_CONTROL):
            continue
        verb = sql.split()[0]
        table = sql.split('"')[1]
        counts[f"{verb} {table}"] += 1
    return counts


@pytest.fixture(autouse=True)
def no_weasyprint(monkeypatch):
    """The queries do not depend on the layout: WeasyPrint is left out to keep this fast (the
    HTML is still rendered, with its QR code)."""
    monkeypatch.setattr(pdf, "write_pdf", lambda html, **kwargs: b"%PDF-1.7 " + html[:20].encode())


def session_of(year, room, candidates: int, day: int):
    session = make_session(year, room, day=day, hour=9)
    for _ in range(candidates):
        register(session, make_candidate())
    return session


def test_generating_a_sessions_convocations_reads_as_much_for_6_candidates_as_for_2(year, room):
    small, large = session_of(year, room, 2, day=20), session_of(year, room, 6, day=21)

    for session, n in ((small, 2), (large, 6)):
        counts = statements(lambda s=session: convocations.generate_session_convocations(s))
        assert counts == {
            "SELECT sessions_app_registration": 1,  # the candidates, their user, the room and
            # their convocation if any (one join)
            "INSERT sessions_app_convocation": 1,  # the missing convocations, in one INSERT
            "SELECT sessions_app_convocation": 1,  # ... read back with their ids
            "UPDATE sessions_app_convocation": n,  # each file stored (conditional UPDATE)
        }
        assert Convocation.objects.filter(registration__session=session).count() == n

    # A second run finds them current: one query, whatever the number of candidates.
    assert statements(lambda: convocations.generate_session_convocations(large)) == {
        "SELECT sessions_app_registration": 1
    }


def test_delivering_a_batch_reads_its_convocations_once(year, room):
    for session, n in (
        (session_of(year, room, 2, day=20), 2),
        (session_of(year, room, 5, day=21), 5),
    ):
        convocations.generate_session_convocations(session)
        ids = convocations.convocations_to_send(session.pk)
        counts = statements(lambda ids=ids: convocations.deliver_convocations(ids))
        assert counts == {
            "SELECT sessions_app_convocation": 1,  # the batch, its candidates and session
            "UPDATE sessions_app_convocation": 1 + n,  # the batch claimed, each marked sent
            "INSERT accounts_auditentry": n,  # each sending audited with its mark
        }
