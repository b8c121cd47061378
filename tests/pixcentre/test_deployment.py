"""Production settings, the Dockerfile and docker-compose.yml, checked without a Docker engine:
the image's build script runs into a temporary directory and compose's own web command serves
pages through gunicorn with ``PRODUCTION=true`` (PostgreSQL when ``DATABASE_URL`` is set)."""

import http.client
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "PRODUCTION": "true",
    "DEBUG": "false",
    "SECRET_KEY": "x7-" + "k" * 60 + "-production-like-secret",
    "ALLOWED_HOSTS": "pix.univ-avignon.fr",
    "DATABASE_URL": "sqlite:////tmp/pixcentre-deploy-check.sqlite3",
    "PIX_SITE_URL": "https://pix.univ-avignon.fr",
}


def test_check_deploy_is_clean_with_production_like_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(PRODUCTION_ENV, PIXCENTRE_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, **PRODUCTION_ENV, "PIXCENTRE_VAR_DIR": str(tmp_path)}
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("value", [None, "", "pix.univ-avignon.fr"])
def test_production_refuses_to_start_without_the_site_address(tmp_path, value):
    env = {**os.environ, **PRODUCTION_ENV, "PIXCENTRE_VAR_DIR": str(tmp_path)}
    if value is None:
        del env["PIX_SITE_URL"]
    else:
        env["PIX_SITE_URL"] = value
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "PIX_SITE_URL" in result.stderr


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_production_services_with_health_checks():
    services = _compose()["services"]
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    for name in ("web", "db", "redis"):
        assert "healthcheck" in services[name], name


def test_what_compose_references_exists():
    compose = _compose()
    settings_text = (ROOT / "pixcentre" / "settings.py").read_text()
    for name, service in compose["services"].items():
        build = service.get("build")
        if build:
            context = ROOT / (build if isinstance(build, str) else build.get("context", "."))
            dockerfile = (
                build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile"
            )
            assert (context / dockerfile).is_file(), f"{name}: {dockerfile} missing"
        command = service.get("command", "")
        command = " ".join(command) if isinstance(command, list) else command
        for module in re.findall(r"\b(pixcentre(?:\.\w+)*)", command):
            path = ROOT / module.replace(".", "/")
            assert path.with_suffix(".py").is_file() or path.is_dir(), f"{name}: {module}"
        for variable in service.get("environment", {}) or {}:
            if name in {"db", "redis"}:
                continue
            assert f'"{variable}"' in settings_text, f"{name}: {variable} is not read by settings"
    for volume in compose.get("volumes", {}):
        used = any(
            any(str(v).startswith(f"{volume}:") for v in s.get("volumes", []))
            for s in compose["services"].values()
        )
        assert used, f"volume {volume} is declared but unused"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "requirements.lock" in dockerfile
    assert "scripts/build.sh" in dockerfile
    assert "collectstatic" in (ROOT / "scripts" / "build.sh").read_text()


# --- The image and compose, run for real ------------------------------------------------------


def _dockerfile():
    """The Dockerfile's instructions as (keyword, argument) pairs, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]


def _image_env(app_dir: Path) -> dict:
    """The image's ENV, its /app paths moved under ``app_dir`` (the checkout stands for /app)."""
    env = {}
    for keyword, argument in _dockerfile():
        if keyword == "ENV":
            for pair in shlex.split(argument):
                name, value = pair.split("=", 1)
                env[name] = _in_app(value, app_dir)
    return env


def _in_app(value: str, app_dir: Path) -> str:
    return str(app_dir / value[len("/app/") :]) if value.startswith("/app/") else value


def _documented_dotenv() -> dict:
    """The .env that docs/deployment.md tells the centre to write, placeholders filled in."""
    text = (ROOT / "docs" / "deployment.md").read_text()
    block = re.search(r"## 1\. Configure.*?```sh\n(.*?)```", text, re.S).group(1)
    env = {}
    for line in block.splitlines():
        name, _, value = line.partition("=")
        env[name] = ("k" + uuid.uuid4().hex) * 2 if value.startswith("<") else value
    return env


def test_the_documented_dotenv_names_every_setting_production_requires():
    env = _documented_dotenv()
    assert {"SECRET_KEY", "PIX_SITE_URL", "ALLOWED_HOSTS", "POSTGRES_PASSWORD"} <= set(env)
    assert env["PIX_SITE_URL"].startswith("https://")
    assert "localhost" in env["ALLOWED_HOSTS"].split(",")  # the health check's host


def test_compose_publishes_the_web_port_on_the_loopback_only():
    for name, service in _compose()["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith(("127.0.0.1:", "[::1]:")), f"{name} publishes {port}"


def test_the_media_volume_is_writable_by_the_images_user():
    instructions = _dockerfile()
    users = [argument for keyword, argument in instructions if keyword == "USER"]
    assert users, "the image runs as root"
    user = users[-1]
    media_mounts = [
        volume.split(":")[1]
        for volume in _compose()["x-app"]["volumes"]
        if volume.split(":")[0] in _compose()["volumes"]
    ]
    assert media_mounts == ["/app/media"]
    run_before_user = " ".join(
        argument
        for keyword, argument in instructions[: instructions.index(("USER", user))]
        if keyword == "RUN"
    )
    for mount in media_mounts:
        assert re.search(rf"mkdir -p [^&]*{re.escape(mount)}\b", run_before_user), mount
        assert re.search(rf"chown -R {user} [^&]*{re.escape(mount)}\b", run_before_user), mount
    assert f"useradd --create-home {user}" in run_before_user


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Enough of a browser for a production site behind its proxy: https announced by
    X-Forwarded-Proto, the public host name, cookies kept even though they are Secure."""

    def __init__(self, port: int, host: str):
        self.port, self.host, self.cookies = port, host, {}

    def request(self, method, path, form=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{self.host}"
            headers["Referer"] = f"https://{self.host}{path}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, dict(response.getheaders()), content.decode("utf-8", "replace")

    def page_with_static_files(self, path):
        """GET a page, then every /static/ file it links: all 200, all hashed copies."""
        status, _headers, html = self.request("GET", path)
        assert status == 200, (path, status, html[:500])
        assets = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', html))
        assert assets, f"{path} links no static file"
        for asset in assets:
            assert re.search(r"\.[0-9a-f]{12}\.\w+$", asset), f"{path}: {asset} is not hashed"
            asset_status, asset_headers, _ = self.request("GET", asset)
            assert asset_status == 200, (path, asset, asset_status)
            assert "max-age=315360000" in asset_headers.get("Cache-Control", ""), asset
        return html, assets


def _wait_for(port, process, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.5)
    return False


def test_image_build_and_compose_web_command_serve_pages_in_production(
    tmp_path, throwaway_database
):
    """What the image does, without Docker: the Dockerfile's build step, then compose's web
    command (migrations, gunicorn) with the image's environment, compose's and the documented
    .env; pages and their static files answer, the health check passes, and the first
    administrator made by the documented command signs in."""
    app_dir = tmp_path / "app"
    instructions = _dockerfile()
    after_copy = instructions[instructions.index(("COPY", ". .")) + 1 :]
    build_steps = [arg for keyword, arg in after_copy if keyword == "RUN" and "build.sh" in arg]
    assert build_steps == ["scripts/build.sh"], "the Dockerfile no longer runs scripts/build.sh"

    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "REDIS_URL"}
        and k not in {"CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY"}
    }
    base["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{base.get('PATH', '')}"
    image_env = {**base, **_image_env(app_dir)}
    build = subprocess.run(
        ["sh", "-c", build_steps[0]], cwd=ROOT, env=image_env,
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-4000:]
    assert (Path(image_env["STATIC_ROOT"]) / "staticfiles.json").is_file()

    compose = _compose()
    web = compose["services"]["web"]
    run_env = {**image_env, **_documented_dotenv()}
    for name, value in {**compose["x-app"]["environment"], **web.get("environment", {})}.items():
        run_env[name] = _in_app(str(value), app_dir)
    run_env["DATABASE_URL"] = throwaway_database  # compose's db and redis services, here
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        run_env[name] = os.environ.get(name, "")
    run_env["EMAIL_URL"] = "consolemail://"  # never the university's SMTP server from a test
    for name in ("MEDIA_ROOT", "PIXCENTRE_VAR_DIR"):
        Path(run_env[name]).mkdir(parents=True, exist_ok=True)

    port = _free_port()
    argv = shlex.split(web["command"])
    assert argv[:2] == ["sh", "-c"] and "0.0.0.0:8000" in argv[2], web["command"]
    script = (
        argv[2].replace("0.0.0.0:8000", f"127.0.0.1:{port}").replace("--workers 4", "--workers 2")
    )
    log = (tmp_path / "web.log").open("w")
    process = subprocess.Popen(  # noqa: S603
        ["sh", "-c", script], cwd=ROOT, env=run_env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        up = _wait_for(port, process)
        assert up, (tmp_path / "web.log").read_text()[-4000:]

        # compose's own health check, on this port
        check = [_in_app(a, app_dir) for a in web["healthcheck"]["test"][1:]]
        check = [a.replace("localhost:8000", f"localhost:{port}") for a in check]
        health = subprocess.run(check, capture_output=True, text=True, check=False, timeout=30)
        assert health.returncode == 0, health.stdout + health.stderr

        host = urlsplit(run_env["PIX_SITE_URL"]).hostname
        browser = Browser(port, host)
        for path in ("/", "/comptes/login/", "/comptes/signup/"):
            browser.page_with_static_files(path)

        # the first administrator, made by the command docs/deployment.md gives
        docs = (ROOT / "docs" / "deployment.md").read_text()
        block = re.search(r"## \d+\. First administrator.*?```sh\n(.*?)```", docs, re.S).group(1)
        command = block.strip().splitlines()[0]
        assert command.startswith("docker compose run --rm web "), command
        email, password = "admin@univ-avignon.fr", "Premier-Administrateur-2026"
        created = subprocess.run(
            shlex.split(command.removeprefix("docker compose run --rm web ")) + ["--noinput"],
            cwd=ROOT, capture_output=True, text=True, check=False, timeout=120,
            env={**run_env, "DJANGO_SUPERUSER_EMAIL": email,
                 "DJANGO_SUPERUSER_PASSWORD": password},
        )  # fmt: skip
        assert created.returncode == 0, created.stdout + created.stderr

        html, _assets = browser.page_with_static_files("/comptes/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        status, headers, body = browser.request(
            "POST",
            "/comptes/login/",
            {"csrfmiddlewaretoken": token, "login": email, "password": password},
        )
        assert status == 302, (status, body[:1000])
        assert headers["Location"] == "/", headers["Location"]  # not "confirm your email"
        browser.page_with_static_files("/resultats/statistiques/")
        # the vendored files whose missing source maps broke collectstatic, served hashed
        manifest = json.loads((Path(image_env["STATIC_ROOT"]) / "staticfiles.json").read_text())
        for name in ("vendor/chartjs/chart.umd.min.js", "vendor/bootstrap/bootstrap.min.css"):
            status, _headers, _body = browser.request("GET", f"/static/{manifest['paths'][name]}")
            assert status == 200, name
        browser.page_with_static_files("/backoffice/")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
