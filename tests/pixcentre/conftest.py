"""Fixtures for tests that run the site as separate processes (gunicorn, manage.py commands)."""

import os
from urllib.parse import urlsplit

import pytest


@pytest.fixture
def throwaway_database(tmp_path):
    """An empty database of the kind the suite runs on: PostgreSQL when DATABASE_URL says so
    (a throwaway database beside it, dropped afterwards), else a SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'deploy.sqlite3'}"
        return
    import psycopg2

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_throwaway_{os.getpid()}"
    admin = psycopg2.connect(url)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parts._replace(path=f"/{name}").geturl()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
