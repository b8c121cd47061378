"""Back up and restore what the centre cannot rebuild: the database and the stored files.

One archive (``.tar.gz``) holds ``manifest.json`` (what was backed up, when, from which engine),
the database (``database.pgdump``: ``pg_dump --format=custom`` for PostgreSQL;
``database.sqlite3``: a consistent copy through SQLite's online backup for the embedded
default) and every file under ``MEDIA_ROOT`` in ``media/``. Redis holds only the queue and the
cache, and the static files come with the image: neither is in it.

``manage.py backup`` and ``manage.py restore`` call these; docs/deployment.md shows them run from
the host, and tests/pixcentre/test_backups.py backs up, drops, restores and compares.
"""

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connections

FORMAT = 1
PG_DUMP = "database.pgdump"
SQLITE_COPY = "database.sqlite3"


class BackupError(Exception):
    pass


def _database():
    db = settings.DATABASES["default"]
    engine = db["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        return "sqlite", db
    if engine.startswith("django.db.backends.postgresql"):
        return "postgresql", db
    raise BackupError(f"no backup for the database engine {engine}")


def _pg_arguments(db) -> tuple[list[str], dict]:
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _tool(name: str) -> str:
    """The PostgreSQL client program, found on PATH (postgresql-client in the image)."""
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} not found: install the PostgreSQL client (postgresql-client)")
    return path


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def back_up(output, *, now=None) -> dict:
    """Write the archive to ``output`` (a binary file object); returns the manifest."""
    kind, db = _database()
    media = Path(settings.MEDIA_ROOT)
    files = sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else []
    manifest = {
        "format": FORMAT,
        "created_at": (now or dt.datetime.now(dt.UTC)).isoformat(),
        "database": kind,
        "media_files": len(files),
    }
    with tempfile.TemporaryDirectory() as work:
        if kind == "postgresql":
            dump = Path(work) / PG_DUMP
            args, env = _pg_arguments(db)
            result = subprocess.run(  # noqa: S603
                [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", *args,
                 "--file", str(dump), str(db["NAME"])],
                env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if result.returncode:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        else:
            dump = Path(work) / SQLITE_COPY
            source = sqlite3.connect(str(db["NAME"]))
            target = sqlite3.connect(str(dump))
            with target:
                source.backup(target)  # consistent even while the site writes
            source.close()
            target.close()
        with tarfile.open(fileobj=output, mode="w|gz") as archive:
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
            archive.add(dump, arcname=dump.name)
            for path in files:
                archive.add(path, arcname=f"media/{path.relative_to(media).as_posix()}")
    return manifest


def restore(source) -> dict:
    """Replace the database and the stored files by those of the archive read from ``source``.

    The archive is checked and unpacked first; the database is then restored in one
    transaction (PostgreSQL) or copied whole (SQLite), and the media directory is swapped for
    the archive's. Returns the archive's manifest."""
    kind, db = _database()
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        try:
            with tarfile.open(fileobj=source, mode="r|gz") as archive:
                archive.extractall(work, filter="data")  # no absolute paths, no "..", no links
        except (tarfile.TarError, OSError, EOFError) as error:
            raise BackupError(f"not a pixcentre backup archive: {error}") from error
        try:
            manifest = json.loads((work / "manifest.json").read_text())
        except (OSError, ValueError) as error:
            raise BackupError("not a pixcentre backup archive: no manifest.json") from error
        if manifest.get("format") != FORMAT:
            raise BackupError(f"unknown backup format {manifest.get('format')!r}")
        if manifest.get("database") != kind:
            raise BackupError(
                f"this backup holds a {manifest.get('database')} database; "
                f"DATABASE_URL points to {kind}"
            )
        connections.close_all()
        if kind == "postgresql":
            args, env = _pg_arguments(db)
            result = subprocess.run(  # noqa: S603
                [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                 "--single-transaction", "--exit-on-error", *args, "--dbname", str(db["NAME"]),
                 str(work / PG_DUMP)],
                env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if result.returncode:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        else:
            source_db = sqlite3.connect(str(work / SQLITE_COPY))
            target_db = sqlite3.connect(str(db["NAME"]))
            with target_db:
                source_db.backup(target_db)
            source_db.close()
            target_db.close()
        media = Path(settings.MEDIA_ROOT)
        media.mkdir(parents=True, exist_ok=True)
        for child in media.iterdir():  # the volume's mount point itself stays
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        restored = work / "media"
        if restored.is_dir():
            for child in restored.iterdir():
                shutil.move(str(child), media / child.name)
    return manifest
