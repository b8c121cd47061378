"""Start and stop the test CAS server process; choose its users and their SUPANN attributes.

    with CASServer(tmp_dir) as cas:
        cas.set_user("lmartin", "secret", supann(uid="lmartin", supannEtuId="21950001", ...))
        settings.CAS_SERVER_URL = cas.url      # http://127.0.0.1:PORT/cas/

The server is django-cas-server (``tests/cas_server/settings.py``) on a free loopback port,
with its own SQLite database in ``tmp_dir``; nothing is mocked: pixcentre validates each
ticket over HTTP with it, as it would with the university's CAS.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PATTERN = r"^https?://(localhost|127\.0\.0\.1|testserver)(:\d+)?/.*"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def supann(
    *,
    uid: str,
    mail: str,
    givenName: str,  # noqa: N803 - SUPANN's own attribute names
    sn: str,
    eduPersonAffiliation: list[str] | str = ("student", "member"),  # noqa: N803
    **extra,
) -> dict:
    """The attributes a French university's CAS releases (SUPANN names)."""
    attributes = {
        "uid": uid,
        "mail": mail,
        "givenName": givenName,
        "sn": sn,
        "eduPersonAffiliation": list(eduPersonAffiliation)
        if not isinstance(eduPersonAffiliation, str)
        else eduPersonAffiliation,
    }
    attributes.update(extra)
    return attributes


class CASServer:
    def __init__(self, directory: Path, *, pattern: str = DEFAULT_PATTERN, port: int | None = None):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.pattern = pattern
        self.users_file = self.directory / "cas-users.json"
        self.database = self.directory / "cas.sqlite3"
        self.log = self.directory / "cas-server.log"
        self.process: subprocess.Popen | None = None
        self._users: dict = {}
        self._write_users()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/cas/"

    def _write_users(self) -> None:
        tmp = self.users_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._users, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self.users_file)  # the server never reads half a file

    def set_user(self, username: str, password: str, attributes: dict) -> None:
        self._users[username] = {"password": password, "attributes": attributes}
        self._write_users()

    def set_users(self, users: dict[str, tuple[str, dict]]) -> None:
        self._users.update({u: {"password": p, "attributes": a} for u, (p, a) in users.items()})
        self._write_users()

    def start(self, timeout: float = 60) -> CASServer:
        env = {
            **os.environ,
            "PIXCENTRE_TEST_CAS_DB": str(self.database),
            "PIXCENTRE_TEST_CAS_USERS": str(self.users_file),
            "DJANGO_SETTINGS_MODULE": "tests.cas_server.settings",
        }
        for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
            env.pop(name, None)
        self._log_file = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.cas_server.serve", str(self.port), self.pattern],
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the test CAS server stopped: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "login", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the test CAS server did not answer: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "_log_file", None):
            self._log_file.close()
        self.process = None

    def __enter__(self) -> CASServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def service_ticket(cas_url: str, username: str, password: str, service: str, session=None) -> str:
    """Sign in at the CAS server's login form as a browser would (requests), and return the
    service ticket it redirects to ``service`` with."""
    import re

    import requests

    session = session or requests.Session()
    page = session.get(cas_url + "login", params={"service": service}, timeout=10)
    page.raise_for_status()
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.text))
    fields.update(username=username, password=password)
    answer = session.post(cas_url + "login", data=fields, allow_redirects=False, timeout=10)
    location = answer.headers.get("Location", "")
    found = re.search(r"[?&]ticket=([^&]+)", location)
    if not found:
        raise AssertionError(f"the CAS server gave no ticket ({answer.status_code}): {location}")
    return found.group(1)
