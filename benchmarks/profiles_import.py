"""Benchmark: import a 10,000-row Pix Orga profile export on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/profiles_import.py [--rows 10000] [--postgres URL]

For each database the script runs itself in a child process with ``DATABASE_URL`` set,
creates a throw-away database (``bench_<name>`` on PostgreSQL, a temporary file for
SQLite), generates the export with ``candidates.pix.profiles_writer.write_profiles_export`` and
times:

- the first import (creates 10,000 candidates and their profiles; scores and tiers are
  computed in-process right after commit, as the Celery task would);
- the same file again (everything unchanged);
- a newer export of the same participants (every profile updated).

It prints rows per second for each. ``--postgres ""`` skips PostgreSQL.

On PostgreSQL it also measures **the machine's limit** for the same file, in the same run:
parsing it with the ``csv`` module and ``COPY``ing the candidates (student number, names,
group) and their 16 levels each into bare tables without index or constraint
(:func:`raw_limit`). The first import's **ratio** is that time divided by the import's: 1.0
would be an import as cheap as copying the file's values into a table (issue 17's goal: at
least 0.15).
"""

import argparse
import csv
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
DEFAULT_POSTGRES = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/pixcentre_a"
)


def generate(rows: int, *, sent_at: dt.datetime, seed: int = 1) -> bytes:
    from candidates.pix.profiles import default_competences
    from candidates.pix.profiles_writer import write_profiles_export

    rng = random.Random(seed)
    codes = [code for code, _title in default_competences()]
    participants = []
    for n in range(rows):
        base = rng.randint(5, 40)
        participants.append(
            {
                "last_name": f"Nom{n:05d}",
                "first_name": rng.choice(["Léa", "Hugo", "Chloé", "Louis", "Inès", "Adam"]),
                "student_number": f"2{n:07d}",
                "group": rng.choice(["L1 Droit", "L2 AES", "L3 Informatique", "M1 MEEF"]),
                "sent_at": sent_at,
                "pix": (
                    None
                    if n % 25 == 0
                    else {c: max(0, min(48, base + rng.randint(-6, 6))) for c in codes}
                ),
            }
        )
    return write_profiles_export(participants, campaign_name="Benchmark", max_level=6)


def raw_limit(data: bytes) -> float:
    """Seconds to parse ``data`` with ``csv`` and COPY its candidates and levels into bare
    tables (PostgreSQL): what no import of this file can beat on this machine."""
    from django.db import connection, transaction

    from candidates.pix.profiles import LEVEL_PREFIX

    start = time.perf_counter()
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";")
    header = next(reader)
    col = {name: i for i, name in enumerate(header)}
    ident = (col["Numéro Étudiant"], col["Nom du Participant"], col["Prénom du Participant"])
    group = col["Groupe"]
    levels = [
        (name[len(LEVEL_PREFIX) :], i) for name, i in col.items() if name.startswith(LEVEL_PREFIX)
    ]
    candidates, level_rows = io.StringIO(), io.StringIO()
    write_candidate, write_level = csv.writer(candidates).writerow, csv.writer(level_rows).writerow
    for cells in reader:
        number = cells[ident[0]]
        write_candidate((number, cells[ident[1]], cells[ident[2]], cells[group]))
        for code, i in levels:
            level = cells[i]
            write_level((number, code, "" if level == "NA" else level))
    candidates.seek(0)
    level_rows.seek(0)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE raw_candidate (external_id text, last_name text, "
            "first_name text, grp text) ON COMMIT DROP"
        )
        cursor.execute(
            "CREATE TEMP TABLE raw_level (external_id text, code text, level smallint) "
            "ON COMMIT DROP"
        )
        cursor.cursor.copy_expert("COPY raw_candidate FROM STDIN WITH (FORMAT csv)", candidates)
        cursor.cursor.copy_expert("COPY raw_level FROM STDIN WITH (FORMAT csv)", level_rows)
    return time.perf_counter() - start


def child(rows: int) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixcentre.settings")
    django.setup()
    from django.db import connection

    from candidates import services
    from candidates.models import PositioningProfile
    from pixcentre.celery import app

    app.conf.task_always_eager = True
    if connection.vendor == "postgresql":
        connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        paris = dt.timezone(dt.timedelta(hours=1))
        first = generate(rows, sent_at=dt.datetime(2025, 11, 14, 10, 32, tzinfo=paris))
        newer = generate(rows, sent_at=dt.datetime(2026, 1, 9, 14, 5, tzinfo=paris), seed=2)
        results = {"database": connection.vendor, "rows": rows, "bytes": len(first)}
        if connection.vendor == "postgresql":
            raw_limit(first)  # warm up the connection and the catalogue
            results["raw_seconds"] = round(min(raw_limit(first) for _ in range(3)), 3)
        for label, data in (("first", first), ("same again", first), ("newer", newer)):
            start = time.perf_counter()
            imp = services.import_profiles(data, file_name=f"{label}.csv")
            elapsed = time.perf_counter() - start
            assert imp.status == "done", imp.error_message
            results[label] = {
                "seconds": round(elapsed, 3),
                "rows_per_second": round(rows / elapsed),
                "created": imp.created_count,
                "updated": imp.updated_count,
                "unchanged": imp.unchanged_count,
                "without_profile": imp.without_profile_count,
            }
        if "raw_seconds" in results:
            results["ratio"] = round(results["raw_seconds"] / results["first"]["seconds"], 3)
        results["profiles"] = PositioningProfile.objects.count()
        return results
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        print(json.dumps(child(args.rows)))
        return
    targets = []
    with tempfile.TemporaryDirectory() as tmp:
        targets.append(("SQLite", f"sqlite:///{tmp}/bench.sqlite3"))
        if args.postgres:
            targets.append(("PostgreSQL", args.postgres))
        for name, url in targets:
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "PIXCENTRE_VAR_DIR": tmp,
                "CELERY_BROKER_URL": "",
                "REDIS_URL": "",
                "LOG_LEVEL": "WARNING",
            }
            out = subprocess.run(
                [sys.executable, __file__, "--child", "--rows", str(args.rows)],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode:
                print(f"{name}: failed\n{out.stderr}", file=sys.stderr)
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{name} ({r['rows']} rows, {r['bytes'] / 1e6:.1f} MB):")
            if "raw_seconds" in r:
                print(
                    f"  limit       {r['raw_seconds']:>6.2f} s  (csv + COPY into bare tables)"
                    f"  ->  first import at {r['ratio']:.2f} of the limit"
                )
            for label in ("first", "same again", "newer"):
                x = r[label]
                print(
                    f"  {label:<11} {x['seconds']:>6.2f} s  {x['rows_per_second']:>7} rows/s  "
                    f"(created {x['created']}, updated {x['updated']}, unchanged "
                    f"{x['unchanged']}, without profile {x['without_profile']})"
                )


if __name__ == "__main__":
    main()
