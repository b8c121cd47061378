"""The virtual students of ``load_registration.py``: locust's HTTP client on gevent.

Without locust (it is the optional extra ``load``, not in requirements.lock), the same phases
run on ``requests`` with one thread per student in flight (``ThreadSession``, ``ThreadPool``);
each phase's summary says which client ran it. Compare ratios from one client only: the
threads cost the load generator more CPU per request, on the same CPUs as gunicorn.

Run by the harness (``load_client.py CONFIG.json RESULT.json``), not by hand. Each student has
their own session (cookies: ``sessionid``, ``csrftoken``) kept from one phase to the next in the
state file, and their own address in ``X-Forwarded-For`` (the harness plays the university's
reverse proxy, ``TRUSTED_PROXY_COUNT=1``). Phases, each a closed loop of ``concurrency``
students in flight at once:

``signin``      GET the allauth login page, POST email + password + CSRF token (302 = signed in)
``cas_signin``  the university sign-in, with fresh cookies: pixcentre's CAS login URL (302 to the
                CAS server), the CAS login form, its POST (302 back with a ticket), then
                pixcentre's callback, which validates the ticket with the CAS server (302 = in)
``apply_form``  GET the campaign's apply page: CSRF token and the sessions offered
``apply``       POST up to three ranked wishes through that form (302 to "my registration")
``offer``       GET the offer page: CSRF token of the first-come "take this seat" form
``register``    POST that form for the student's session (302 to "my registration")
``noop``        POST ``/_bench/noop/`` with the CSRF token, once per student: an authenticated
                no-op through the same gunicorn, middleware and session (benchmarks/urls.py)
``ping``        GET ``/ping`` (``ping_requests`` times), the bare-view ceiling

Every request is recorded (phase, student, status, start, duration, ok); the harness computes
throughput and percentiles from the raw records. ``restart`` in the config runs a command once
when a phase has completed a given number of requests (the fault script restarts PostgreSQL).
"""

try:  # locust's client on gevent (the optional extra ``load``), else plain threads
    from gevent import monkey

    monkey.patch_all()
    import gevent
    from gevent.pool import Pool
    from locust.contrib.fasthttp import FastHttpSession
    from locust.env import Environment

    CLIENT = "locust FastHttpSession on gevent"
except ImportError:
    gevent = Pool = FastHttpSession = Environment = None
    CLIENT = "requests on threads"

import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor, wait  # noqa: E402

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
WISH_RE = re.compile(r'<select name="wish_1".*?</select>', re.S)
OPTION_RE = re.compile(r'<option value="(\d+)"')
TIMEOUT = 120
RESTARTS = []  # restart commands running: a phase ends only when they have finished


class ThreadSession:
    """What the harness uses of locust's ``FastHttpSession``, on ``requests`` (no gevent):
    ``base_url``, ``cookiejar``, ``request()`` answering ``status_code``, ``text``,
    ``headers`` and ``error``, never raising for an HTTP status."""

    def __init__(self, base_url):
        import requests

        self.base_url = base_url
        self.session = requests.Session()
        self.cookiejar = self.session.cookies

    def request(self, method, path, *, headers=None, allow_redirects=True, name=None, **kwargs):
        response = self.session.request(
            method, self.base_url + path, headers=headers, allow_redirects=allow_redirects,
            timeout=TIMEOUT, **kwargs,
        )  # fmt: skip
        response.error = None
        return response


def new_session(env, base_url):
    if FastHttpSession is None:
        return ThreadSession(base_url)
    return FastHttpSession(
        base_url, env.events.request, user=None, network_timeout=TIMEOUT,
        connection_timeout=TIMEOUT,
    )  # fmt: skip


class ThreadPool:
    """gevent's ``Pool`` as the harness uses it (``spawn``, ``join``), on threads."""

    def __init__(self, size):
        self.executor = ThreadPoolExecutor(max_workers=size)
        self.futures = []

    def spawn(self, fn, *args):
        self.futures.append(self.executor.submit(fn, *args))

    def join(self):
        wait(self.futures)
        self.executor.shutdown()
        for future in self.futures:
            future.result()  # a bug in the harness is said, not swallowed


def spawn(fn):
    if gevent is not None:
        return gevent.spawn(fn)
    thread = threading.Thread(target=fn)
    thread.start()
    return thread


def joinall(jobs):
    if gevent is not None:
        gevent.joinall(jobs)
    else:
        for job in jobs:
            job.join()


class Recorder:
    def __init__(self):
        self.records = []
        self.counts = {}
        self.events = []
        self.lock = threading.Lock()

    def add(self, phase, student, kind, status, started, duration, ok, detail=""):
        with self.lock:
            self._add(phase, student, kind, status, started, duration, ok, detail)

    def _add(self, phase, student, kind, status, started, duration, ok, detail):
        self.records.append(
            {"phase": phase, "student": student, "kind": kind, "status": status,
             "start": started, "ms": round(duration * 1000, 2), "ok": ok, "detail": detail}
        )  # fmt: skip
        self.counts[phase] = self.counts.get(phase, 0) + 1


class Student:
    def __init__(self, env, base_url, spec):
        self.spec = spec
        self.env = env
        self.client = new_session(env, base_url)
        for name, value in spec.get("cookies", {}).items():
            self._set_cookie(name, value)
        self.csrf = spec.get("csrf", "")
        self.options = spec.get("options", [])

    def _set_cookie(self, name, value):
        from http.cookiejar import Cookie

        self.client.cookiejar.set_cookie(
            Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/", True, False,
                   None, False, None, None, {})
        )  # fmt: skip

    def cookies(self):
        return {c.name: c.value for c in self.client.cookiejar}

    def request(self, rec, phase, kind, method, path, **kwargs):
        headers = {"X-Forwarded-For": self.spec["ip"], **kwargs.pop("headers", {})}
        started = time.time()
        t0 = time.perf_counter()
        try:
            response = self.client.request(
                method, path, headers=headers, allow_redirects=False, name=kind, **kwargs
            )
            status = response.status_code or 0
            error = str(response.error) if getattr(response, "error", None) else ""
        except Exception as exc:  # a dropped connection is a failed request, not a crash
            response, status, error = None, 0, repr(exc)[:200]
        return response, status, error, started, time.perf_counter() - t0


def _location(response):
    return (response.headers.get("Location") or "") if response is not None else ""


def signin(student, rec, phase):
    r, status, error, started, duration = student.request(
        rec, phase, "login_form", "GET", "/comptes/login/"
    )
    match = CSRF_RE.search(r.text or "") if status == 200 else None
    rec.add(phase, student.spec["i"], "login_form", status, started, duration, bool(match), error)
    if not match:
        return False
    data = {
        "csrfmiddlewaretoken": match.group(1),
        "login": student.spec["email"],
        "password": student.spec["password"],
    }
    r, status, error, started, duration = student.request(
        rec, phase, "login_post", "POST", "/comptes/login/", data=data,
        headers={"Referer": student.client.base_url + "/comptes/login/"},
    )  # fmt: skip
    ok = status == 302 and "/comptes/" not in _location(r)
    rec.add(phase, student.spec["i"], "login_post", status, started, duration, ok,
            error or _location(r))  # fmt: skip
    return ok


TICKET_RE = re.compile(r"[?&]ticket=([^&]+)")
HIDDEN_RE = re.compile(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"')


def cas_signin(student, rec, phase, cas_url):
    """The university sign-in, as a browser with no pixcentre session does it."""
    from urllib.parse import urlsplit

    i = student.spec["i"]
    student.client = new_session(student.env, student.client.base_url)  # signed out here
    r, status, error, started, duration = student.request(
        rec, phase, "cas_start", "GET", "/comptes/universite/?next=/"
    )
    login_url = _location(r)
    ok = status == 302 and login_url.startswith(cas_url)
    rec.add(phase, i, "cas_start", status, started, duration, ok, error or login_url[:120])
    if not ok:
        return False
    parts = urlsplit(login_url)
    cas = new_session(student.env, f"{parts.scheme}://{parts.netloc}")
    started, t0 = time.time(), time.perf_counter()
    page = cas.request("GET", f"{parts.path}?{parts.query}", name="cas_form")
    fields = dict(HIDDEN_RE.findall(page.text or ""))
    ok = page.status_code == 200 and "lt" in fields
    rec.add(phase, i, "cas_form", page.status_code or 0, started, time.perf_counter() - t0, ok)
    if not ok:
        return False
    fields.update(username=student.spec["cas_username"], password=student.spec["password"])
    started, t0 = time.time(), time.perf_counter()
    answer = cas.request("POST", parts.path, data=fields, allow_redirects=False, name="cas_login")
    back = _location(answer)
    ticket = TICKET_RE.search(back)
    rec.add(phase, i, "cas_login", answer.status_code or 0, started, time.perf_counter() - t0,
            bool(ticket), back[:120])  # fmt: skip
    if not ticket:
        return False
    r, status, error, started, duration = student.request(
        rec, phase, "cas_callback", "GET", f"/comptes/universite/?next=%2F&ticket={ticket.group(1)}"
    )
    ok = status == 302 and _location(r) == "/"
    rec.add(phase, i, "cas_callback", status, started, duration, ok, error or _location(r))
    return ok


def apply_form(student, rec, phase, campaign_id):
    r, status, error, started, duration = student.request(
        rec, phase, "apply_form", "GET", f"/sessions/offre/campagnes/{campaign_id}/"
    )
    text = (r.text or "") if status == 200 else ""
    match = CSRF_RE.search(text)
    select = WISH_RE.search(text)
    ok = bool(match and select)
    if ok:
        student.csrf = match.group(1)
        student.options = [int(v) for v in OPTION_RE.findall(select.group(0))]
    rec.add(phase, student.spec["i"], "apply_form", status, started, duration, ok, error)
    return ok


def apply(student, rec, phase, campaign_id):
    if not student.options or not student.csrf:
        rec.add(phase, student.spec["i"], "apply_post", 0, time.time(), 0, False, "no form")
        return False
    wishes = random.Random(student.spec["i"]).sample(student.options, 3)
    data = {"csrfmiddlewaretoken": student.csrf}
    data.update({f"wish_{rank}": str(pk) for rank, pk in enumerate(wishes, start=1)})
    path = f"/sessions/offre/campagnes/{campaign_id}/"
    r, status, error, started, duration = student.request(
        rec, phase, "apply_post", "POST", path, data=data,
        headers={"Referer": student.client.base_url + path},
    )  # fmt: skip
    ok = status == 302 and _location(r).endswith("/sessions/mon-inscription/")
    rec.add(phase, student.spec["i"], "apply_post", status, started, duration, ok,
            error or ",".join(map(str, wishes)))  # fmt: skip
    return ok


def noop(student, rec, phase):
    path = "/_bench/noop/"
    r, status, error, started, duration = student.request(
        rec, phase, "noop_post", "POST", path, data={"csrfmiddlewaretoken": student.csrf},
        headers={"Referer": student.client.base_url + path},
    )  # fmt: skip
    ok = status == 302 and _location(r).endswith("/sessions/mon-inscription/")
    rec.add(phase, student.spec["i"], "noop_post", status, started, duration, ok,
            error or _location(r))  # fmt: skip
    return ok


def offer(student, rec, phase):
    r, status, error, started, duration = student.request(
        rec, phase, "offer_page", "GET", "/sessions/offre/"
    )
    text = (r.text or "") if status == 200 else ""
    target = f'action="/sessions/offre/sessions/{student.spec["session"]}/inscription/"'
    match = CSRF_RE.search(text)
    ok = bool(match and target in text)
    if ok:
        student.csrf = match.group(1)
    rec.add(phase, student.spec["i"], "offer_page", status, started, duration, ok,
            error or ("" if ok else "session not offered"))  # fmt: skip
    return ok


def register(student, rec, phase):
    path = f"/sessions/offre/sessions/{student.spec['session']}/inscription/"
    r, status, error, started, duration = student.request(
        rec, phase, "register_post", "POST", path,
        data={"csrfmiddlewaretoken": student.csrf},
        headers={"Referer": student.client.base_url + "/sessions/offre/"},
    )  # fmt: skip
    ok = status == 302 and _location(r).endswith("/sessions/mon-inscription/")
    rec.add(phase, student.spec["i"], "register_post", status, started, duration, ok,
            error or _location(r))  # fmt: skip
    return ok


def ping(client, rec, phase, n, ip):
    started = time.time()
    t0 = time.perf_counter()
    try:
        r = client.request("GET", "/ping", headers={"X-Forwarded-For": ip}, name="ping")
        status, body = r.status_code or 0, r.text or ""
        error = str(r.error) if getattr(r, "error", None) else ""
    except Exception as exc:
        status, body, error = 0, "", repr(exc)[:200]
    rec.add(phase, n, "ping", status, started, time.perf_counter() - t0,
            status == 200 and body == "ok", error)  # fmt: skip


def maybe_restart(config, rec, phase, done):
    for restart in config.get("restart", []):
        if restart["phase"] == phase and not restart.get("started") and done >= restart["after"]:
            restart["started"] = time.time()

            def run(restart=restart):
                result = subprocess.run(restart["command"], capture_output=True, text=True)
                restart["finished"] = time.time()
                restart["rc"] = result.returncode
                restart["output"] = (result.stdout + result.stderr)[-500:]
                rec.events.append(dict(restart, phase=phase))

            RESTARTS.append(spawn(run))


def run_phase(config, env, students, rec, phase):
    pool = Pool(config["concurrency"]) if Pool is not None else ThreadPool(config["concurrency"])
    done = 0
    counting = threading.Lock()
    t0 = time.perf_counter()
    started = time.time()

    def one(job):
        nonlocal done
        job()
        with counting:
            done += 1
            maybe_restart(config, rec, phase, done)

    if phase == "ping":
        # closed loop: ``concurrency`` greenlets, each with its own client (keep-alive like a
        # browser), each sending its share of the requests one after the other
        def loop(slot):
            client = new_session(env, config["base_url"])
            for n in range(slot, config["ping_requests"], config["concurrency"]):
                one(lambda n=n: ping(client, rec, phase, n, "10.255.0.1"))

        for slot in range(config["concurrency"]):
            pool.spawn(loop, slot)
    else:
        jobs = {
            "signin": lambda s: signin(s, rec, phase),
            "race_signin": lambda s: signin(s, rec, phase),  # the racers who did not apply
            "cas_signin": lambda s: cas_signin(s, rec, phase, config.get("cas_url", "")),
            "apply_form": lambda s: apply_form(s, rec, phase, config["campaign_id"]),
            "apply": lambda s: apply(s, rec, phase, config["campaign_id"]),
            "apply_retry": lambda s: apply(s, rec, phase, config["campaign_id"]),
            "noop": lambda s: noop(s, rec, phase),
            "offer": lambda s: offer(s, rec, phase),
            "register": lambda s: register(s, rec, phase),
            "register_retry": lambda s: register(s, rec, phase),
        }
        job = jobs[phase]
        chosen = students
        if phase.endswith("_retry"):  # only those whose request failed (after a fault)
            base = phase.removesuffix("_retry")
            good = {r["student"] for r in rec.records if r["phase"] == base and r["ok"]}
            chosen = [s for s in students if s.spec["i"] not in good]
        for s in chosen:
            pool.spawn(one, lambda s=s: job(s))
    pool.join()
    wall = time.perf_counter() - t0
    joinall(RESTARTS)  # the next phase (a retry) starts once the database is back
    return {"phase": phase, "started": started, "wall_s": round(wall, 3), "requests": done,
            "client": CLIENT}  # fmt: skip


def main():
    with open(sys.argv[1]) as f:
        config = json.load(f)
    env = Environment() if Environment is not None else None
    students = [Student(env, config["base_url"], spec) for spec in config["students"]]
    rec = Recorder()
    phases = []
    for phase in config["phases"]:
        phases.append(run_phase(config, env, students, rec, phase))
        print(json.dumps(phases[-1]), flush=True)
    state = [dict(s.spec, cookies=s.cookies(), csrf=s.csrf, options=s.options) for s in students]
    with open(sys.argv[2], "w") as f:
        json.dump({"phases": phases, "records": rec.records, "events": rec.events,
                   "students": state}, f)  # fmt: skip


if __name__ == "__main__":
    main()
