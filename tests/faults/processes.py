"""Real processes for the fault tests: a Redis server of the test's own (so that stopping it
disturbs nobody), gunicorn serving the site, a Celery worker, and a small browser-like client
(cookies and CSRF) for talking to gunicorn."""

import email
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, *, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def database_url() -> str:
    """The URL of the database the test runs on, for the processes it starts."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def recipients(mail_dir: Path) -> Counter:
    """How many messages each address received, from Django's file email backend's files."""
    counts = Counter()
    for path in mail_dir.iterdir():
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                counts[email.message_from_string(chunk.strip())["To"]] += 1
    return counts


def convened_session(year, room, candidates: int):
    """A session with ``candidates`` confirmed seats, ready for its convocations."""
    from sessions_app.models import Registration, RegistrationSource, RegistrationStatus
    from tests.sessions_app.conftest import NOW, make_candidate, make_session

    session = make_session(year, room, day=20, hour=14)
    registrations = [
        Registration.objects.create(
            candidate=make_candidate(), session=session, academic_year=year,
            status=RegistrationStatus.CONFIRMED, source=RegistrationSource.FIRST_COME,
            created_at=NOW,
        )
        for _ in range(candidates)
    ]  # fmt: skip
    return session, Counter(r.candidate.convocation_email for r in registrations)


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


class RedisServer:
    """``redis-server`` on a port of its own, stopped and started at will."""

    def __init__(self, port: int, workdir: Path):
        self.port, self.workdir, self.proc = port, workdir, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: _port_open(self.port), timeout=10, what="redis-server to listen")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        wait_for(lambda: not _port_open(self.port), timeout=10, what="redis-server to stop")


@contextmanager
def process(args: list[str], env: dict, log: Path):
    """A child process in its own process group, killed with its children at the end."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield proc
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


def gunicorn(port: int, env: dict, log: Path):
    return process(
        [sys.executable, "-m", "gunicorn", "pixcentre.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--threads", "4", "--timeout", "60"],
        env, log,
    )  # fmt: skip


def celery_worker(queue: str, env: dict, log: Path, *, beat_schedule: Path | None = None):
    args = [sys.executable, "-m", "celery", "-A", "pixcentre", "worker", "--concurrency=2",
            "--loglevel=info", "-Q", queue, "-n", f"{queue}@%h"]  # fmt: skip
    if beat_schedule is not None:
        args += ["--beat", "-s", str(beat_schedule)]
    return process(args, env, log)


class Browser:
    """Enough of a browser for forms: a cookie jar, CSRF tokens, redirects followed."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """(status, final URL, body) of a GET, or of a POST when ``data`` is given; status 0
        when the server cannot be reached."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base_url + path, data=body)  # noqa: S310 (our http URL)
        if data is not None:
            req.add_header("Referer", self.base_url + path)
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode(errors="replace")
        except (urllib.error.URLError, ConnectionError) as error:  # nobody listening (yet)
            return 0, self.base_url + path, str(error)

    def csrf_token(self, html: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert match, "no CSRF token on the page"
        return match.group(1)

    def submit(self, path: str, fields: dict | None = None) -> tuple[int, str, str]:
        """GET the page, then POST its form with its CSRF token and ``fields``."""
        status, _, html = self.request(path)
        assert status == 200, f"GET {path} answered {status}"
        return self.request(path, {"csrfmiddlewaretoken": self.csrf_token(html), **(fields or {})})

    def sign_in(self, email: str, password: str):
        status, url, html = self.submit("/comptes/login/", {"login": email, "password": password})
        assert status == 200 and "/comptes/login/" not in url, f"sign-in failed ({status})"
        return html
