"""The apply POST against the authenticated no-op, in-process: CPU, wall time, queries, profile.

    .venv/bin/python benchmarks/apply_profile.py [--students 200] [--profile]
        [--database-url postgres://postgres@127.0.0.1:5432/pixcentre_load]   # dropped, recreated
        [--redis redis://127.0.0.1:6379/12]                                  # flushed

Seeds the world of ``load_registration.py`` (students with complete identity and a certifiable
profile, an open campaign), then, for each student, through Django's test client with CSRF
checks on and the settings of the load run (``benchmarks.settings``: PostgreSQL, Redis as
broker and cache, so that the outbox writes and publishes as in production): signs in
(``force_login``), opens the apply form, then POSTs three ranked wishes and POSTs the no-op
(``/_bench/noop/``), alternating, so that both see the same machine. Prints per request kind
the median CPU and wall milliseconds, the statements sent (and their SQL with ``--sql``) and,
with ``--profile FILE``, the 40 most expensive functions of the apply POSTs (cProfile, cumulative).

The load run (``load_registration.py``) is the measure of issue 17's ratio; this script is
where to look for why.
"""

import argparse
import cProfile
import pstats
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import load_registration as lr  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--students", type=int, default=200)
    p.add_argument("--sessions", type=int, default=12)
    p.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/pixcentre_load")
    p.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    p.add_argument("--profile", metavar="FILE", help="cProfile the apply POSTs into FILE")
    p.add_argument(
        "--sql",
        action="store_true",
        help="print the statements of an apply POST, with their median time",
    )
    args = p.parse_args()
    args.cas_url, args.trusted_proxy_count = "", 0
    tmp = Path(tempfile.mkdtemp(prefix="pixcentre-apply-"))
    lr.recreate_database(args.database_url)
    lr.flush_redis(args.redis)
    lr.setup_django(args, tmp)
    world = lr.seed(args.students, args.sessions, 0)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    url = f"/sessions/offre/campagnes/{world['campaign_id']}/"
    users = {u.email: u for u in User.objects.filter(role="candidate")}
    figures = {"apply": [], "noop": []}
    counts = {"apply": [], "noop": []}
    profile = cProfile.Profile() if args.profile else None
    sql = []
    for student in world["students"]:
        client = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
        client.force_login(users[student["email"]])
        page = client.get(url).content.decode()
        token = lr_token(page)
        options = [int(v) for v in lr_options(page)]
        wishes = random.Random(student["i"]).sample(options, 3)
        data = {"csrfmiddlewaretoken": token}
        data.update({f"wish_{rank}": str(pk) for rank, pk in enumerate(wishes, start=1)})
        for kind in ("apply", "noop") if student["i"] % 2 else ("noop", "apply"):
            path, payload = (url, data) if kind == "apply" else ("/_bench/noop/", data)
            with CaptureQueriesContext(connection) as queries:
                if profile and kind == "apply":
                    profile.enable()
                cpu, wall = time.process_time(), time.perf_counter()
                response = client.post(path, payload, HTTP_REFERER=f"http://127.0.0.1{path}")
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                if profile and kind == "apply":
                    profile.disable()
            assert response.status_code == 302, (kind, response.status_code)
            figures[kind].append((cpu * 1000, wall * 1000))
            counts[kind].append(len(queries.captured_queries))
            if kind == "apply":
                sql.append([(q["sql"], float(q["time"])) for q in queries.captured_queries])
    if args.sql:  # the statements of the apply POSTs that sent the most common number
        usual = statistics.mode(len(one) for one in sql)
        same = [one for one in sql if len(one) == usual]
        print(f"statements of an apply POST (median ms over {len(same)} requests):")
        for n, (text, _) in enumerate(same[0]):
            ms = statistics.median(one[n][1] for one in same) * 1000
            print(f"  {ms:6.2f} {text[:150]}")
    first = figures["apply"][0]
    print(f"first apply of the process (cold): CPU {first[0]:.1f} ms, wall {first[1]:.1f} ms")
    for kind, rows in figures.items():
        cpu = statistics.median(r[0] for r in rows)
        wall = statistics.median(r[1] for r in rows)
        print(f"{kind:6} n={len(rows)} CPU p50 {cpu:.2f} ms  wall p50 {wall:.2f} ms  "
              f"statements p50 {statistics.median(counts[kind])}")  # fmt: skip
    a = statistics.median(r[1] for r in figures["apply"])
    n = statistics.median(r[1] for r in figures["noop"])
    print(f"no-op / apply (wall, in-process): {n / a:.3f}")
    if profile:
        profile.dump_stats(args.profile)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    connection.close()
    lr.drop_database(args.database_url)


# as benchmarks/load_client.py reads the form
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
WISH_RE = re.compile(r'<select name="wish_1".*?</select>', re.S)
OPTION_RE = re.compile(r'<option value="(\d+)"')


def lr_token(page):
    return CSRF_RE.search(page).group(1)


def lr_options(page):
    return OPTION_RE.findall(WISH_RE.search(page).group(0))


if __name__ == "__main__":
    main()
