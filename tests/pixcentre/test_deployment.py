"""Production settings and docker-compose.yml, checked without a Docker engine."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "PRODUCTION": "true",
    "DEBUG": "false",
    "SECRET_KEY": "x7-" + "k" * 60 + "-production-like-secret",
    "ALLOWED_HOSTS": "pix.univ-avignon.fr",
    "DATABASE_URL": "sqlite:////tmp/pixcentre-deploy-check.sqlite3",
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
    assert "collectstatic" in dockerfile
