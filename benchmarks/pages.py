"""Benchmark: every list and detail page of the site at 10,000 candidates and ten years of data.

    .venv/bin/python benchmarks/pages.py [--candidates 10000] [--years 10] [--database-url URL]

The script runs itself in a child process with ``DATABASE_URL`` set (PostgreSQL by default,
``--database-url sqlite:///…`` works too) and creates a throw-away database (``bench_<name>``
on PostgreSQL), as ``benchmarks/profiles_import.py`` does. It then:

- loads the demo centre (``seed_demo``: its accounts and the objects the URLs are filled with);
- adds ``--candidates`` candidates (students, staff, externals) with ``bulk_create``, and for
  each of ``--years`` academic years its cost parameters, 40 held sessions of 20 seats, one
  registration per seat, a certification result per present candidate and a fee per external
  candidate's seat; then, on PostgreSQL, ``ANALYZE`` (the statistics autovacuum gathers on a
  live database);
- generates and stores the convocations of the session the session's pages show (the session
  with the most registrations), as the administrator's « Générer et envoyer » does before
  anyone prints them: the printable PDF merges those stored files;
- with the Django test client, signed in as the administrator and as the referent, GETs every
  URL of ``pixcentre/access_table.py`` that answers 200 to that role (POST-only views and
  allauth's account pages left out), its arguments filled with objects of the demo (the
  session with the most registrations for a session's pages);
- reports for each: status, queries, KB of the body, in-process time (best of 3 after a first
  warming request), sorted by time; pages over 150 KB of HTML or 0.3 s are marked ``!``.
  The referent's dashboard and the statistics page are repeated at the end.

Timings depend on the machine's load: the load average is printed with the table.
"""

import argparse
import datetime as dt
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/pixcentre_a"
)
MAX_KB = 150
MAX_SECONDS = 0.3
SESSIONS_PER_YEAR = 40
SEATS = 20
ADMIN = "gestionnaire@demo.pixcentre.fr"
REFERENT = "referent@demo.pixcentre.fr"
# Not pages of the site's own: allauth's account screens (same for everyone, no data).
SKIP_PREFIXES = ("account_", "cas_ng_")


def seed(candidates: int, years: int) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from billing.models import Fee, FeeStatus
    from billing.services import cost_parameters_for
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

    started = time.perf_counter()
    call_command("seed_demo", stdout=io.StringIO())
    rng = random.Random(17)
    today = dt.date.today()
    current = AcademicYear.current(today)
    first = current.start_date.year
    year_objs = []
    for k in range(years):
        y = first - k
        year, _ = AcademicYear.objects.get_or_create(
            label=f"{y}-{y + 1}",
            defaults={"start_date": dt.date(y, 9, 1), "end_date": dt.date(y + 1, 8, 31)},
        )
        cost_parameters_for(year)
        year_objs.append(year)

    first_names = ["Léa", "Hugo", "Chloé", "Louis", "Inès", "Adam", "Jade", "Noah", "Zoé"]
    programmes = ["L1 Droit", "L2 AES", "L3 Informatique", "M1 MEEF", "L1 Psychologie"]
    people = []
    for n in range(candidates):
        kind = (
            CandidateKind.EXTERNAL
            if n % 20 == 0
            else CandidateKind.STAFF
            if n % 20 == 1
            else CandidateKind.STUDENT
        )
        people.append(
            Candidate(
                kind=kind,
                birth_name=f"BENCH{n:05d}",
                first_name=rng.choice(first_names),
                external_id=f"9{n:07d}" if kind == CandidateKind.STUDENT else "",
                birth_date=dt.date(1995 + n % 10, 1 + n % 12, 1 + n % 28),
                birth_city="Lille",
                convocation_email=f"bench{n:05d}@example.org",
                programme=rng.choice(programmes),
                total_pix=rng.randint(80, 600),
                is_certifiable=True,
                priority_tier=1 + n % 3,
            )
        )
    people = Candidate.objects.bulk_create(people, batch_size=2000)

    rooms = list(Room.objects.all())
    sessions = []
    for year in year_objs:
        last_day = min(year.end_date, today - dt.timedelta(days=1))
        span = (last_day - year.start_date).days
        for s in range(SESSIONS_PER_YEAR):
            sessions.append(
                Session(
                    academic_year=year,
                    date=year.start_date + dt.timedelta(days=span * s // SESSIONS_PER_YEAR),
                    start_time=dt.time(9 if s % 2 else 14, 0),
                    room=rooms[s % len(rooms)],
                    capacity=SEATS,
                    audience="mixed",
                    pix_session_number=f"{year.start_date.year % 100}{s:04d}",
                    status=SessionStatus.FINALISED,
                )
            )
    sessions = Session.objects.bulk_create(sessions, batch_size=2000)

    registrations = []
    per_year = SESSIONS_PER_YEAR * SEATS
    for k, year in enumerate(year_objs):
        offset = (k * per_year) % max(len(people) - per_year, 1)
        chosen = people[offset : offset + per_year]
        year_sessions = [s for s in sessions if s.academic_year_id == year.pk]
        for i, candidate in enumerate(chosen):
            session = year_sessions[i // SEATS]
            at = dt.datetime.combine(session.date, dt.time(8), tzinfo=dt.UTC)
            registrations.append(
                Registration(
                    candidate=candidate,
                    session=session,
                    academic_year=year,
                    status=(
                        RegistrationStatus.NO_SHOW if i % 15 == 0 else RegistrationStatus.CONFIRMED
                    ),
                    source=RegistrationSource.FIRST_COME,
                    created_at=at - dt.timedelta(days=30),
                    confirmed_at=at - dt.timedelta(days=30),
                )
            )
    registrations = Registration.objects.bulk_create(registrations, batch_size=2000)

    now = dt.datetime.now(dt.UTC)
    results, fees = [], []
    for r in registrations:
        if r.status == RegistrationStatus.CONFIRMED:
            score = rng.randint(0, 700)
            results.append(
                CertificationResult(
                    registration=r,
                    certification_number=f"B{r.pk:09d}",
                    status=ResultStatus.VALIDATED if score >= 64 else ResultStatus.NOT_OBTAINED,
                    score=score,
                    pix_session_number=r.session.pix_session_number,
                    taken_on=r.session.date,
                    imported_at=now,
                )
            )
        if r.candidate.kind == CandidateKind.EXTERNAL:
            fees.append(
                Fee(
                    registration=r,
                    academic_year_id=r.academic_year_id,
                    status=FeeStatus.PAID if r.pk % 4 else FeeStatus.DUE,
                    created_at=r.created_at,
                )
            )
    CertificationResult.objects.bulk_create(results, batch_size=2000)
    Fee.objects.bulk_create(fees, batch_size=2000)
    if connection.vendor == "postgresql":
        # Statistics, as autovacuum gathers them on a live database within a minute of a bulk
        # load: without them the planner guesses a few hundred rows per table.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "candidates": Candidate.objects.count(),
        "years": AcademicYear.objects.count(),
        "sessions": Session.objects.count(),
        "registrations": Registration.objects.count(),
        "results": CertificationResult.objects.count(),
        "fees": Fee.objects.count(),
    }


def world() -> dict:
    """The objects that fill URL arguments (names of pixcentre/access_table.py)."""
    from django.db.models import Count

    from accounts.models import User
    from billing.models import Fee, Receipt
    from candidates.models import AcademicYear, Candidate, ProfileImport
    from sessions_app import attendance_codes
    from sessions_app.models import Assignment, Campaign, Incident, Registration, Room, Session

    student = Candidate.objects.filter(user__email="etudiant@demo.pixcentre.fr").first()
    registration = Registration.objects.filter(candidate=student).order_by("-pk").first()
    session = Session.objects.annotate(n=Count("registrations")).order_by("-n", "pk").first()
    objects = {
        "student_candidate": student and student.pk,
        "student_registration": registration and registration.pk,
        "student_presence_token": registration and attendance_codes.token_for(registration.pk),
        "session": session.pk,
        "room": Room.objects.values_list("pk", flat=True).first(),
        "campaign": Campaign.objects.order_by("-pk").values_list("pk", flat=True).first(),
        "profile_import": ProfileImport.objects.values_list("pk", flat=True).first(),
        "invigilator_user": User.objects.filter(email="surveillant@demo.pixcentre.fr")
        .values_list("pk", flat=True)
        .first(),
        "year_label": AcademicYear.current().label,
        "external_receipt": Receipt.objects.values_list("pk", flat=True).first(),
        "external_fee": Fee.objects.values_list("pk", flat=True).first(),
        "assignment": Assignment.objects.values_list("pk", flat=True).first(),
        "incident": Incident.objects.values_list("pk", flat=True).first(),
    }
    return objects


def store_convocations(session_pk: int) -> int:
    """The stored convocations of the session, as after the administrator sent them."""
    from sessions_app.models import Session
    from sessions_app.services import convocations

    session = Session.objects.select_related("room").get(pk=session_pk)
    return len(convocations.generate_session_convocations(session))


def measure(client, url: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: templates, caches, the connection
    best, status, queries, size, ctype = None, None, None, 0, ""
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            body = b"".join(response) if response.streaming else response.content
            elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
        status, queries, size = response.status_code, len(ctx), len(body)
        ctype = response.get("Content-Type", "").split(";")[0]
    return {"status": status, "queries": queries, "kb": size / 1024, "s": best, "type": ctype}


def pages() -> list[tuple[str, str, str]]:
    """(role, URL name, URL) of every GET page that answers 200 to the administrator or the
    referent in the access table."""
    from django.urls import reverse

    from pixcentre.access_table import ACCESS_TABLE, Lit

    objects = world()
    found = []
    for name, line in ACCESS_TABLE.items():
        if name.startswith(SKIP_PREFIXES):
            continue
        for role in ("administrator", "referent"):
            if line.expect.get(role) != 200:
                continue
            kwargs = {}
            for arg, source in line.args.items():
                kwargs[arg] = source.value if isinstance(source, Lit) else objects.get(source)
            if any(v is None for v in kwargs.values()):
                found.append((role, name, ""))  # nothing in the demo to fill it with
                continue
            url = reverse(name, kwargs=kwargs)
            if line.query:
                url += "?" + line.query.format(**objects)
            found.append((role, name, url))
    return found


def child(candidates: int, years: int) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixcentre.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import User
    from pixcentre.celery import app

    app.conf.task_always_eager = True
    settings.ALLOWED_HOSTS = ["*"]
    setup_test_environment()
    if connection.vendor == "postgresql":
        connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        data = seed(candidates, years)
        data["convocations"] = store_convocations(world()["session"])
        rows = []
        clients = {}
        for role, email in (("administrator", ADMIN), ("referent", REFERENT)):
            clients[role] = Client()
            clients[role].force_login(User.objects.get(email=email))
        for role, name, url in pages():
            if not url:
                rows.append({"role": role, "name": name, "url": "", "status": "no object"})
                continue
            rows.append({"role": role, "name": name, "url": url, **measure(clients[role], url)})
        return {"database": connection.vendor, "data": data, "rows": rows}
    finally:
        connection.close()
        connection.creation.destroy_test_db(test_db, verbosity=0)


def over(row) -> str:
    marks = []
    if row.get("type") == "text/html" and row["kb"] > MAX_KB:
        marks.append("KB")
    if row["s"] > MAX_SECONDS:
        marks.append("s")
    return "! " + "+".join(marks) if marks else ""


def print_report(r: dict) -> None:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    d = r["data"]
    print(
        f"{r['database']}: {d['candidates']} candidates, {d['years']} years, {d['sessions']} "
        f"sessions, {d['registrations']} registrations, {d['results']} results, {d['fees']} "
        f"fees (seeded in {d['seconds']} s), {d.get('convocations', 0)} stored convocations "
        f"for the session's pages; load average {load}"
    )
    print(f"limits: {MAX_KB} KB of HTML, {MAX_SECONDS} s in-process (best of 3)\n")
    measured = [x for x in r["rows"] if "s" in x]
    header = f"{'role':<6} {'URL name':<36} {'st':>3} {'q':>4} {'KB':>7} {'s':>6}  type"
    print(header)
    for x in sorted(measured, key=lambda x: -x["s"]):
        print(
            f"{x['role'][:5]:<6} {x['name']:<36} {x['status']:>3} {x['queries']:>4} "
            f"{x['kb']:>7.1f} {x['s']:>6.3f}  {x['type']:<16} {over(x)}"
        )
    for x in r["rows"]:
        if "s" not in x:
            print(f"{x['role'][:5]:<6} {x['name']:<36} not measured: {x['status']}")
    print("\nasked for by issue 17:")
    for x in measured:
        if (x["role"], x["name"]) in (
            ("referent", "billing:dashboard"),
            ("referent", "results:statistics"),
            ("administrator", "results:statistics"),
        ):
            print(
                f"  {x['role']:<13} {x['name']:<22} {x['queries']:>3} queries  "
                f"{x['kb']:>6.1f} KB (limit {MAX_KB})  {x['s']:.3f} s (limit {MAX_SECONDS}) "
                f"{over(x)}"
            )
    worst = [x for x in measured if over(x)]
    print(f"\n{len(worst)} of {len(measured)} pages over a limit")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--json", help="also write the raw results to this file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        print(json.dumps(child(args.candidates, args.years)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": args.database_url,
            "PIXCENTRE_VAR_DIR": tmp,
            "CELERY_BROKER_URL": "",
            "REDIS_URL": "",
            "LOG_LEVEL": "WARNING",
            "CONN_MAX_AGE": "0",
        }
        command = [sys.executable, __file__, "--child"]
        command += ["--candidates", str(args.candidates), "--years", str(args.years)]
        out = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        if out.returncode:
            print(f"failed\n{out.stderr}", file=sys.stderr)
            sys.exit(1)
        r = json.loads(out.stdout.strip().splitlines()[-1])
    if args.json:
        Path(args.json).write_text(json.dumps(r, indent=1))
    print_report(r)


if __name__ == "__main__":
    main()
