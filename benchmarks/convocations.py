"""Benchmark: convocations per second for a 600-candidate year (30 sessions of 20).

    .venv/bin/python benchmarks/convocations.py [--candidates 600] [--redis URL]
        [--database-url URL] [--concurrency N[,N...]] [--repeat N] [--interleave]
        [--skip-before] [--skip-worker]

Three figures for the same documents:

1. **WeasyPrint alone**: the HTML of each convocation is rendered by Django first (not timed),
   then only the PDF is timed — the floor of any pipeline; twice: as ``pixcentre.pdf`` calls
   WeasyPrint (one font configuration per thread, what the pipeline uses and the ratios are
   taken against) and as it was called before (a new font configuration per document).
2. **Embedded default**: tasks in-process (``task_always_eager``), as when no broker is
   configured: ``send_session_convocations`` for every session, in turn; each convocation is
   rendered, stored, claimed, emailed (``dummymail://``: the message is built with both
   attachments but not delivered) and marked sent.
3. **Celery worker on Redis**: the same task for every session is queued on Redis and run by
   a ``celery -A pixcentre worker`` subprocess (``--concurrency`` processes, a queue of its
   own); the clock stops when every convocation is marked sent in the database.

On a shared machine the time of either side moves with the others' load: ``--repeat N``
measures WeasyPrint alone and the embedded pipeline N times, one right after the other, and
reports each pair's ratio and their median (the table shows the median pair);
``--interleave`` alternates the two sides session by session within each measure, so that a
burst of the others' load falls on both.
``--concurrency 1,2`` runs the worker once per value, to see it scale.

The database is a throw-away SQLite file unless ``--database-url`` is given (use PostgreSQL
for the worker run: several processes write at once). Rows made by the benchmark are deleted
at the end; PDFs go to a temporary ``MEDIA_ROOT``.
"""

import argparse
import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PER_SESSION = 20


def configure(args, tmp: Path):
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    os.environ["PIXCENTRE_VAR_DIR"] = str(tmp / "var")
    os.environ["EMAIL_URL"] = "dummymail://"
    os.environ["CELERY_BROKER_URL"] = args.redis
    os.environ["CELERY_QUEUE"] = f"bench-{uuid.uuid4().hex[:8]}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "pixcentre.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_year(candidates: int):
    from candidates.models import AcademicYear, Candidate
    from sessions_app.models import (
        Registration,
        RegistrationSource,
        RegistrationStatus,
        Room,
        Session,
        SessionStatus,
    )

    year = AcademicYear.objects.create(
        label="2090-2091", start_date=dt.date(2090, 9, 1), end_date=dt.date(2091, 8, 31)
    )
    now = dt.datetime(2090, 9, 1, tzinfo=dt.UTC)
    sessions = []
    for s in range((candidates + PER_SESSION - 1) // PER_SESSION):
        room = Room.objects.create(
            site="Banc d’essai",
            name=f"Salle {s:02d}",
            capacity=PER_SESSION,
            address="74 rue Louis Pasteur, 84000 Avignon",
        )
        sessions.append(
            Session.objects.create(
                academic_year=year,
                date=dt.date(2090, 10, 1) + dt.timedelta(days=s // 4),
                start_time=dt.time(9 + 2 * (s % 4), 0),
                room=room,
                status=SessionStatus.CLOSED,
            )
        )
    for n in range(candidates):
        candidate = Candidate.objects.create(
            birth_name=f"BANC{n:04d}",
            first_name="Camille",
            external_id=f"BENCH{n:05d}",
            birth_date=dt.date(2003, 1, 1) + dt.timedelta(days=n),
            convocation_email=f"banc{n}@example.org",
            extra_time_percent=33 if n % 15 == 0 else None,
        )
        Registration.objects.create(
            candidate=candidate,
            session=sessions[n // PER_SESSION],
            academic_year=year,
            status=RegistrationStatus.CONFIRMED,
            source=RegistrationSource.ALLOCATION,
            created_at=now,
            confirmed_at=now,
        )
    return year, sessions


def weasyprint_alone(sessions, *, tuned: bool) -> float:
    """WeasyPrint only, on HTML rendered beforehand: as the centre calls it (``tuned``:
    ``pixcentre.pdf``, one font configuration per thread) or as it did before (a new font
    configuration for every document)."""
    import weasyprint
    from django.conf import settings

    from pixcentre import pdf
    from sessions_app.models import Registration
    from sessions_app.services import convocations

    registrations = Registration.objects.filter(session__in=sessions).select_related(
        "candidate__user", "session__room"
    )
    pages = [convocations.render_html(r, "fr") for r in registrations]
    base_url = str(settings.BASE_DIR / "static")

    def plain(html):
        return weasyprint.HTML(string=html, base_url=base_url).write_pdf()

    write = pdf.write_pdf if tuned else plain
    write(pages[0])  # warm-up (fonts)
    start, cpu = time.perf_counter(), time.process_time()
    for html in pages:
        write(html)
    return time.perf_counter() - start, time.process_time() - cpu


def interleaved(sessions):
    """WeasyPrint alone and the embedded pipeline, session after session in turn (the pages of
    a session through ``pixcentre.pdf``, then ``send_session_convocations`` for it): both sides
    see the same moments of a shared machine's load. Returns both (wall, CPU) totals."""
    from pixcentre import pdf
    from pixcentre.celery import app
    from sessions_app.models import Registration
    from sessions_app.services import convocations
    from sessions_app.tasks import send_session_convocations

    app.conf.task_always_eager = True
    pages = {
        session.pk: [
            convocations.render_html(r, "fr")
            for r in Registration.objects.filter(session=session).select_related(
                "candidate__user", "session__room"
            )
        ]
        for session in sessions
    }
    # Warm-up, not counted, the same for both sides: a whole session each (WeasyPrint's fonts
    # and caches; the pipeline's templates, its first queries and tasks), then the convocations
    # made are deleted. Without it the first pair of a run came out 0.03 to 0.07 lower.
    for html in pages[sessions[0].pk]:
        pdf.write_pdf(html)
    send_session_convocations.delay(sessions[0].pk)
    reset_convocations(sessions[:1])
    alone, eager = [0.0, 0.0], [0.0, 0.0]
    for session in sessions:
        start, cpu = time.perf_counter(), time.process_time()
        for html in pages[session.pk]:
            pdf.write_pdf(html)
        alone[0] += time.perf_counter() - start
        alone[1] += time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        send_session_convocations.delay(session.pk)
        eager[0] += time.perf_counter() - start
        eager[1] += time.process_time() - cpu
    return tuple(alone), tuple(eager)


def reset_convocations(sessions):
    from sessions_app.models import Convocation

    Convocation.objects.filter(registration__session__in=sessions).delete()


def embedded(sessions) -> float:
    from pixcentre.celery import app
    from sessions_app.tasks import send_session_convocations

    app.conf.task_always_eager = True
    start, cpu = time.perf_counter(), time.process_time()
    for session in sessions:
        send_session_convocations.delay(session.pk)
    return time.perf_counter() - start, time.process_time() - cpu


def with_worker(sessions, total: int, concurrency: int) -> float:
    from pixcentre.celery import app
    from sessions_app.models import Convocation
    from sessions_app.tasks import send_session_convocations

    app.conf.task_always_eager = False
    queue = os.environ["CELERY_QUEUE"]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = usage.ru_utime + usage.ru_stime
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "pixcentre", "worker", "--loglevel=warning",
         f"--concurrency={concurrency}", "-Q", queue, "-n", f"{queue}@%h"],
        cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"worker did not start: {proc.stderr.read().decode()[-2000:]}")
        sent = Convocation.objects.filter(registration__session__in=sessions, sent_at__isnull=False)
        start = time.perf_counter()
        for session in sessions:
            send_session_convocations.apply_async((session.pk,), queue=queue)
        while sent.count() < total:
            if time.perf_counter() - start > 1800:
                raise SystemExit(f"only {sent.count()} of {total} sent after 30 minutes")
            time.sleep(0.2)
        wall = time.perf_counter() - start
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    # CPU of the worker and its pool processes (start-up and idle polling included).
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before


def cleanup(year, sessions):
    from accounts.models import AuditEntry
    from candidates.models import Candidate
    from sessions_app.models import Registration, Room, Session

    rooms = [s.room_id for s in sessions]
    reset_convocations(sessions)
    AuditEntry.objects.filter(session_id__in=[s.pk for s in sessions]).delete()
    Registration.objects.filter(session__in=sessions).delete()
    Candidate.objects.filter(external_id__startswith="BENCH").delete()
    Session.objects.filter(pk__in=[s.pk for s in sessions]).delete()
    Room.objects.filter(pk__in=rooms).delete()
    year.delete()


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=600)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--concurrency", default=str(os.cpu_count() or 2))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--skip-before", action="store_true")
    parser.add_argument("--interleave", action="store_true")
    parser.add_argument("--skip-worker", action="store_true")
    args = parser.parse_args()
    concurrencies = [int(n) for n in args.concurrency.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="bench-convocations-"))
    try:
        configure(args, tmp)
        from django.db import connection

        year, sessions = build_year(args.candidates)
        n = args.candidates
        load_before = os.getloadavg()[0]
        try:
            before = None if args.skip_before else weasyprint_alone(sessions, tuned=False)
            pairs = []
            for _ in range(args.repeat):
                if args.interleave:
                    alone, eager = interleaved(sessions)
                else:
                    alone = weasyprint_alone(sessions, tuned=True)
                    eager = embedded(sessions)
                reset_convocations(sessions)
                pairs.append((alone, eager))
            workers = []
            if not args.skip_worker:
                for concurrency in concurrencies:
                    workers.append((concurrency, with_worker(sessions, n, concurrency)))
                    reset_convocations(sessions)
        finally:
            cleanup(year, sessions)
        load = os.getloadavg()[0]
        print(
            f"database: {connection.vendor}; {n} candidates in {len(sessions)} sessions; "
            f"{os.cpu_count()} CPUs, load average {load_before:.1f} at the start, "
            f"{load:.1f} at the end"
        )
        walls = [alone[0] / eager[0] for alone, eager in pairs]
        cpus = [alone[1] / eager[1] for alone, eager in pairs]
        if len(pairs) > 1:
            print(
                "embedded / WeasyPrint alone, each pair: wall "
                + ", ".join(f"{r:.2f}" for r in walls)
                + f" (median {median(walls):.2f}); CPU "
                + ", ".join(f"{r:.2f}" for r in cpus)
                + f" (median {median(cpus):.2f})"
            )
        alone, eager = pairs[walls.index(sorted(walls)[(len(walls) - 1) // 2])]
        print("| run | wall s | convocations/s | vs WeasyPrint alone | CPU ms per convocation |")
        print("| --- | ---: | ---: | ---: | ---: |")
        rows = [
            ("WeasyPrint alone, a font configuration per document (before)", before),
            ("WeasyPrint alone, pixcentre.pdf (one font configuration)", alone),
            ("embedded default (in-process)", eager),
        ]
        rows += [(f"Celery worker on Redis ({c} processes)", w) for c, w in workers]
        for label, timing in rows:
            if timing is None:
                continue
            wall, cpu = timing
            print(
                f"| {label} | {wall:.1f} | {n / wall:.2f} | {alone[0] / wall:.2f} "
                f"| {cpu * 1000 / n:.0f} |"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
