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
"""

import argparse
import datetime as dt
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
        for label, data in (("first", first), ("same again", first), ("newer", newer)):
            start = time.perf_counter()
            imp = services.import_profiles(data, file_name=f"{label}.csv")
            elapsed = time.perf_counter() - start
            assert imp.status == "done", imp.error_message
            results[label] = {
                "seconds": round(elapsed, 2),
                "rows_per_second": round(rows / elapsed),
                "created": imp.created_count,
                "updated": imp.updated_count,
                "unchanged": imp.unchanged_count,
                "without_profile": imp.without_profile_count,
            }
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
            for label in ("first", "same again", "newer"):
                x = r[label]
                print(
                    f"  {label:<11} {x['seconds']:>6.2f} s  {x['rows_per_second']:>7} rows/s  "
                    f"(created {x['created']}, updated {x['updated']}, unchanged "
                    f"{x['unchanged']}, without profile {x['without_profile']})"
                )


if __name__ == "__main__":
    main()
