from tests.sessions_app.conftest import room, year  # noqa: F401  (fixtures for test_emails)
