"""Query-count guards for the list and detail pages (issue 17): the number of queries a page
makes does not grow with the data.

Each page is asked with a centre of 3 candidates (one session, 3 seats, results, fees) and
again after it has grown to 30 candidates and 10 sessions (the first session holding every
seat): the two counts must be equal. A page that loops over rows with a query each (a missing
``select_related``, a count per session…) makes 27 more queries the second time and fails
here. ``benchmarks/pages.py`` measures the same pages at 10,000 candidates.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing.models import Fee, FeeStatus
from candidates.models import AcademicYear, Candidate, CandidateKind
from sessions_app.models import (
    CertificationResult,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    ResultStatus,
    Room,
    Session,
    SessionStatus,
)

# (role, URL name, which object fills its ``pk``/``label``)
PAGES = [
    ("administrator", "home", None),
    ("administrator", "audit_log", None),
    ("administrator", "candidates:list", None),
    ("administrator", "candidates:export", None),
    ("administrator", "candidates:detail", "candidate"),
    ("administrator", "sessions_app:sessions", None),
    ("administrator", "sessions_app:calendar", None),
    ("administrator", "sessions_app:session", "session"),
    ("administrator", "convocations:index", None),
    ("administrator", "convocations:session", "session"),
    ("administrator", "invigilation:sessions", None),
    ("administrator", "invigilation:finalise", "session"),
    ("administrator", "billing:fees", None),
    ("administrator", "billing:reconciliation", None),
    ("administrator", "billing:reconciliation_year", "year"),
    ("administrator", "billing:reconciliation_session", "session"),
    ("administrator", "results:statistics", None),
    ("referent", "billing:dashboard", None),
    ("referent", "billing:year_report", "report"),
    ("referent", "billing:year_parameters", "year"),
    ("referent", "billing:projection", None),
    ("referent", "billing:gip_statement", None),
    ("referent", "results:statistics", None),
    ("referent", "candidates:list", None),
]


class Centre:
    """A year containing today, a room, sessions held this year and candidates seated in the
    first session, with a result each and a fee for each external candidate."""

    def __init__(self):
        today = timezone.localdate()
        start = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
        self.year = AcademicYear.objects.create(
            label=f"{start.year}-{start.year + 1}",
            start_date=start,
            end_date=dt.date(start.year + 1, 8, 31),
        )
        self.room = Room.objects.create(site="Centre-ville", name="Salle Q", capacity=60)
        self.day = max(start, today - dt.timedelta(days=1))
        self.sessions = []
        self.candidates = []

    def grow(self, candidates: int, sessions: int):
        while len(self.sessions) < sessions:
            n = len(self.sessions)
            self.sessions.append(
                Session.objects.create(
                    academic_year=self.year,
                    date=self.day,
                    start_time=dt.time(8 + n % 10, 0),
                    room=self.room,
                    capacity=60,
                    audience="mixed",
                    pix_session_number=f"9{n:05d}",
                    status=SessionStatus.HELD,
                )
            )
        now = timezone.now()
        while len(self.candidates) < candidates:
            n = len(self.candidates)
            kind = CandidateKind.EXTERNAL if n % 3 == 0 else CandidateKind.STUDENT
            candidate = Candidate.objects.create(
                kind=kind,
                birth_name=f"QUERY{n:03d}",
                first_name="Léa",
                external_id=f"7{n:07d}" if kind == CandidateKind.STUDENT else "",
                convocation_email=f"q{n}@example.org",
            )
            registration = Registration.objects.create(
                candidate=candidate,
                session=self.sessions[0],
                academic_year=self.year,
                status=RegistrationStatus.CONFIRMED,
                source=RegistrationSource.FIRST_COME,
                created_at=now,
                confirmed_at=now,
            )
            CertificationResult.objects.create(
                registration=registration,
                certification_number=f"Q{n:09d}",
                status=ResultStatus.VALIDATED,
                score=300 + n,
                taken_on=self.day,
                imported_at=now,
            )
            if kind == CandidateKind.EXTERNAL:
                # billing's signal may have created it with the seat already
                Fee.objects.update_or_create(
                    registration=registration,
                    defaults={
                        "academic_year": self.year,
                        "status": FeeStatus.PAID if n % 2 else FeeStatus.DUE,
                    },
                )
            self.candidates.append(candidate)

    def url(self, name, obj):
        if obj == "session":
            return reverse(name, kwargs={"pk": self.sessions[0].pk})
        if obj == "candidate":
            return reverse(name, kwargs={"pk": self.candidates[0].pk})
        if obj == "year":
            return reverse(name, kwargs={"label": self.year.label})
        if obj == "report":
            return reverse(name, kwargs={"label": self.year.label, "fmt": "csv"})
        return reverse(name)


def count_queries(client, url) -> int:
    response = client.get(url)  # warm: caches filled on a first visit do not count
    assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


@pytest.mark.django_db
def test_list_and_detail_pages_make_as_many_queries_with_30_candidates_as_with_3(
    client, administrator, referent
):
    users = {"administrator": administrator, "referent": referent}
    centre = Centre()
    centre.grow(candidates=3, sessions=1)
    small = {}
    for role, name, obj in PAGES:
        client.force_login(users[role])
        small[role, name] = count_queries(client, centre.url(name, obj))

    centre.grow(candidates=30, sessions=10)
    grown = {}
    for role, name, obj in PAGES:
        client.force_login(users[role])
        grown[role, name] = count_queries(client, centre.url(name, obj))

    growing = {
        f"{role} {name}": (small[role, name], grown[role, name])
        for role, name, _obj in PAGES
        if grown[role, name] != small[role, name]
    }
    assert not growing, f"queries with 3 candidates → with 30: {growing}"


@pytest.mark.django_db
def test_postgresql_compiles_no_query_just_in_time():
    """The invigilation page's staffing aggregate is estimated above ``jit_above_cost``: with
    JIT on, PostgreSQL spent about 140 ms compiling a query that runs in 3 ms. The settings
    turn JIT off for the centre's connections."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (DATABASE_URL=postgres://…)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
