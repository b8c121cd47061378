"""Fault: PostgreSQL restarts in the middle of a registration opening; no success is lost.

    pip install locust        # once: the optional extra ``load`` of pyproject.toml
    .venv/bin/python benchmarks/faults_postgres_restart.py [--students 500] [--concurrency 50]

Runs as root (the machine's PostgreSQL 15 binaries are used as the ``postgres`` user). It never
touches the shared PostgreSQL: it makes a private throw-away cluster (``initdb`` in
``--pgdata``, default ``/tmp/pgfault``, listening on 127.0.0.1:``--pg-port``, default 5439),
and removes it at the end (``--keep-cluster`` to look at it). Redis database 13 serves as cache
and broker.

The load is ``load_registration.py``'s (same seed, same gunicorn, same virtual students):

1. the students sign in and open the apply form;
2. **apply burst**: when a quarter of the apply POSTs have answered, PostgreSQL is restarted
   with ``pg_ctl restart -m fast`` (clients disconnected, a clean shutdown) while the others
   are still posting; then every student whose POST failed posts again once (as a person
   clicks again);
3. the campaign is closed and allocated;
4. **first-come race**: when a quarter of the "take a seat" POSTs have answered, PostgreSQL
   is restarted with ``-m immediate`` (a crash: no shutdown checkpoint, recovery from the WAL
   on start); then the failed ones post again once.

Checked afterwards, from the database: every apply POST that was answered with success (302 to
"my registration") left exactly the wishes it posted; every "take a seat" POST answered with
success left an active registration; no session holds more confirmed seats than its capacity;
``/healthz`` (which queries the database) and ``/ping`` answer 200 after the restarts, and
requests succeeded after each restart. Failed requests during the restarts are expected: they
are counted, with their HTTP statuses, not hidden.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load_registration as harness  # noqa: E402

ROOT = harness.ROOT
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def as_postgres(*command: str) -> list[str]:
    return ["su", "postgres", "-c", " ".join(command)]


def pg_ctl(args, action: str, mode: str | None = None) -> list[str]:
    options = f'"-p {args.pg_port} -k /tmp -c listen_addresses=127.0.0.1"'
    command = [str(PG_BIN / "pg_ctl"), "-D", args.pgdata, "-l", f"{args.pgdata}/server.log",
               "-o", options, "-w"]  # fmt: skip
    if mode:
        command += ["-m", mode]
    return as_postgres(*command, action)


def start_cluster(args) -> None:
    if not Path(args.pgdata).exists():
        subprocess.run(
            as_postgres(str(PG_BIN / "initdb"), "-D", args.pgdata, "-U", "postgres",
                        "-A", "trust", "--no-sync"),
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    subprocess.run(pg_ctl(args, "start"), check=True, stdout=subprocess.DEVNULL)


def remove_cluster(args) -> None:
    subprocess.run(pg_ctl(args, "stop", "fast"), stdout=subprocess.DEVNULL, check=False)
    shutil.rmtree(args.pgdata, ignore_errors=True)


def answers(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 (http://127.0.0.1)
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def restart_report(records: list[dict], events: list[dict], phase: str) -> dict:
    event = next((e for e in events if e["phase"] == phase), None)
    if event is None:
        return {"phase": phase, "restarted": False}
    rows = [r for r in records if r["phase"] == phase]
    failed = [r for r in rows if not r["ok"]]
    retries = [r for r in records if r["phase"] == f"{phase}_retry"]
    after = [r for r in rows + retries if r["ok"] and r["start"] >= event["finished"]]
    statuses = {}
    for r in failed:
        statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
    return {
        "phase": phase,
        "restart_command_rc": event["rc"],
        "restart_s": round(event["finished"] - event["started"], 2),
        "requests": len(rows),
        "failed": len(failed),
        "failed_statuses": statuses,
        "failed_window_s": round(
            max(r["start"] + r["ms"] / 1000 for r in failed) - min(r["start"] for r in failed), 2
        )
        if failed
        else 0,
        "retried": len(retries),
        "retries_failed": sum(not r["ok"] for r in retries),
        "succeeded_after_restart": len(after),
    }


def main():
    p = harness.parser(
        __doc__.splitlines()[0],
        "postgres://postgres@127.0.0.1:5439/pixcentre_fault",
        str(ROOT / "benchmarks/results/faults_postgres_restart.json"),
    )
    p.set_defaults(students=500, redis="redis://127.0.0.1:6379/13", port=8766)
    p.add_argument("--pgdata", default="/tmp/pgfault")
    p.add_argument("--pg-port", type=int, default=5439)
    p.add_argument("--keep-cluster", action="store_true")
    args = p.parse_args()
    args.ping_requests = 0
    if f":{args.pg_port}/" not in args.database_url:
        raise SystemExit("--database-url must point at the private cluster (--pg-port)")
    tmp = Path(tempfile.mkdtemp(prefix="pixcentre-fault-"))
    gunicorn = None
    try:
        start_cluster(args)
        harness.recreate_database(args.database_url)
        harness.flush_redis(args.redis)
        harness.setup_django(args, tmp)
        world = harness.seed(args.students, args.sessions, args.first_come_sessions)
        base = {"base_url": f"http://127.0.0.1:{args.port}", "concurrency": args.concurrency,
                "campaign_id": world["campaign_id"], "ping_requests": 0}  # fmt: skip
        quarter = max(1, args.students // 4)
        from django.db import connections

        connections.close_all()
        gunicorn = harness.start_gunicorn(args, tmp)
        opening = harness.run_client(
            dict(base, students=world["students"],
                 phases=["signin", "apply_form", "apply", "apply_retry"],
                 restart=[{"phase": "apply", "after": quarter,
                           "command": pg_ctl(args, "restart", "fast")}]),
            tmp, "opening",
        )  # fmt: skip
        after_first = {"healthz": answers(f"{base['base_url']}/healthz"),
                       "ping": answers(f"{base['base_url']}/ping")}  # fmt: skip
        connections.close_all()
        allocation = harness.close_and_allocate(world["campaign_id"])
        connections.close_all()
        race = harness.run_client(
            dict(base, students=opening["students"], phases=["offer", "register", "register_retry"],
                 restart=[{"phase": "register", "after": quarter,
                           "command": pg_ctl(args, "restart", "immediate")}]),
            tmp, "race",
        )  # fmt: skip
        after_second = {"healthz": answers(f"{base['base_url']}/healthz"),
                        "ping": answers(f"{base['base_url']}/ping")}  # fmt: skip
        connections.close_all()
        campaign = harness.check_campaign(
            world["campaign_id"], harness.posted_wishes(opening["records"]), world["students"]
        )
        registered = {
            r["student"] for r in race["records"] if r["kind"] == "register_post" and r["ok"]
        }
        first_come = harness.check_first_come(
            world["first_come_session_ids"], registered, world["students"]
        )
        connections.close_all()
    except BaseException:
        if not args.keep_cluster:
            harness.stop(gunicorn)
            remove_cluster(args)
        raise
    finally:
        harness.stop(gunicorn)
    records = opening["records"] + race["records"]
    result = {
        "machine": harness.machine(),
        "settings": {k: v for k, v in vars(args).items() if k != "out"},
        "summary": harness.summarize(records, opening["phases"] + race["phases"]),
        "restarts": [
            restart_report(opening["records"], opening["events"], "apply") | {"mode": "fast"},
            restart_report(race["records"], race["events"], "register") | {"mode": "immediate"},
        ],
        "after_restart_fast": after_first,
        "after_restart_immediate": after_second,
        "allocation": allocation,
        "campaign": campaign,
        "first_come": first_come,
    }
    harness.write_result(result, result["summary"], Path(args.out), tmp)
    if not args.keep_cluster:
        remove_cluster(args)
    restarted = all(r.get("restart_command_rc") == 0 for r in result["restarts"])
    recovered = all(r.get("succeeded_after_restart", 0) > 0 for r in result["restarts"]) and {
        after_first["healthz"],
        after_second["healthz"],
        after_second["ping"],
    } == {200}
    ok = (
        restarted
        and recovered
        and campaign["lost"] == 0
        and first_come["lost"] == 0
        and not campaign["oversold_sessions"]
        and not first_come["oversold_sessions"]
        and first_come["quota_used"] <= first_come["quota"]
    )
    print(
        "OK: PostgreSQL restarted twice, nothing answered with success was lost, the site answers"
        if ok
        else "FAILED: see above"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    os.umask(0o022)
    main()
