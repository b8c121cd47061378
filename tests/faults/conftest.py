"""Fixtures shared with the sessions tests."""

from tests.sessions_app.conftest import room, year  # noqa: F401
