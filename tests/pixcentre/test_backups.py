"""Backups (pixcentre/backups.py, ``manage.py backup`` / ``restore``) proven end to end on a
database of its own (PostgreSQL when DATABASE_URL is set, SQLite otherwise): back up, drop the
database and the files, restore, and find the same rows and the same files."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]

SEED = """
import datetime as dt
from accounts.models import Role, User
from accounts import audit
from candidates.models import AcademicYear
year = AcademicYear.objects.create(
    label="2031-2032", start_date=dt.date(2031, 9, 1), end_date=dt.date(2032, 8, 31))
for i in range(5):
    User.objects.create_user(email=f"c{i}@example.org", password="x", first_name="Zoé",
                             role=Role.CANDIDATE)
User.objects.create_superuser(email="admin@example.org", password="x")
audit.record("cost_parameters_reopened", obj=year, summary="Paramètres de 2031-2032 rouverts")
"""

SNAPSHOT = """
import hashlib, json
from django.apps import apps
out = {}
for model in apps.get_models():
    rows = list(model._base_manager.order_by("pk").values_list())
    out[model._meta.label] = [len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()]
print(json.dumps(out))
"""


def _files(media: Path) -> dict:
    return {
        p.relative_to(media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(media.rglob("*"))
        if p.is_file()
    }


def _manage(env, *args, stdin=None, check=True):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, input=stdin, capture_output=True, check=False, timeout=300,
    )  # fmt: skip
    if check:
        assert result.returncode == 0, (result.stdout + result.stderr).decode()[-4000:]
    return result


def _drop_database(url: str):
    """Gone, as after losing the server: a new empty database (or no SQLite file at all)."""
    if url.startswith("sqlite"):
        Path(urlsplit(url).path).unlink()
        return
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(os.environ["DATABASE_URL"])
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


@pytest.fixture
def site_env(tmp_path, throwaway_database):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    env.update(
        DATABASE_URL=throwaway_database,
        PIXCENTRE_VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    _manage(env, "migrate", "--noinput", "-v0")
    return env


def test_backup_then_restore_after_losing_everything_gives_the_same_rows_and_files(
    site_env, tmp_path
):
    _manage(site_env, "shell", "-c", SEED)
    media = Path(site_env["MEDIA_ROOT"])
    (media / "convocations" / "2031").mkdir(parents=True)
    (media / "convocations" / "2031" / "convocation-Zoé.pdf").write_bytes(b"%PDF-1.7 " * 500)
    (media / "imports").mkdir()
    (media / "imports" / "profils.csv").write_text("nom;prénom\nMARTIN;Léa\n")
    (media / "imports" / "binary.bin").write_bytes(bytes(range(256)) * 40)
    rows = json.loads(_manage(site_env, "shell", "-c", SNAPSHOT).stdout.splitlines()[-1])
    files = _files(media)
    assert rows["accounts.User"][0] == 6 and rows["accounts.AuditEntry"][0] >= 1
    assert rows["account.EmailAddress"][0] == 1  # the superuser's, verified

    archive = tmp_path / "backup.tar.gz"
    _manage(site_env, "backup", str(archive))
    assert _manage(site_env, "backup", str(archive), check=False).returncode != 0  # no overwrite

    _drop_database(site_env["DATABASE_URL"])
    shutil.rmtree(media)
    media.mkdir()
    (media / "stray.txt").write_text("made after the backup")
    gone = _manage(site_env, "shell", "-c", SNAPSHOT, check=False)
    assert gone.returncode != 0  # no tables any more

    # no confirmation, or not a backup: nothing restored, nothing removed
    refused = _manage(site_env, "restore", str(archive), stdin=b"no\n", check=False)
    assert refused.returncode != 0
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not an archive at all")
    refused = _manage(site_env, "restore", "--noinput", str(bogus), check=False)
    assert b"not a pixcentre backup archive" in refused.stderr
    assert (media / "stray.txt").exists()

    _manage(site_env, "restore", str(archive), stdin=b"yes\n")
    assert json.loads(_manage(site_env, "shell", "-c", SNAPSHOT).stdout.splitlines()[-1]) == rows
    assert _files(media) == files

    # through standard output and input, as docs/deployment.md runs them from the host
    # (docker compose exec -T web python manage.py backup - > file)
    streamed = _manage(site_env, "backup", "-").stdout
    assert streamed[:2] == b"\x1f\x8b"  # gzip, and nothing else on standard output
    _manage(
        site_env, "shell", "-c", "from accounts.models import User; User.objects.all().delete()"
    )
    (media / "imports" / "profils.csv").unlink()
    _manage(site_env, "restore", "--noinput", "-", stdin=streamed)
    assert json.loads(_manage(site_env, "shell", "-c", SNAPSHOT).stdout.splitlines()[-1]) == rows
    assert _files(media) == files
