"""Run the test CAS server: ``python -m tests.cas_server.serve PORT [SERVICE_PATTERN]`` from the
repository's root. Tests set ``PIXCENTRE_TEST_CAS_DB`` and ``PIXCENTRE_TEST_CAS_USERS``; without
them (trying CAS by hand, README) it keeps its database in ``var/dev-cas.sqlite3`` and its users
are ``tests/cas_server/demo_users.json`` (the demo centre's students and staff).

Migrates its SQLite database, declares pixcentre as a service (every attribute released,
single sign-out on), then serves on 127.0.0.1:PORT until killed."""

import os
import sys


def main(port: int, pattern: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.cas_server.settings"
    import django

    django.setup()
    from cas_server.models import ReplaceAttributName, ServicePattern
    from django.core.management import call_command
    from django.core.servers.basehttp import WSGIRequestHandler

    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection

    with connection.cursor() as cursor:  # concurrent sign-ins write tickets: readers never wait
        cursor.execute("PRAGMA journal_mode=WAL")
    service, _created = ServicePattern.objects.update_or_create(
        name="pixcentre",
        defaults={"pos": 1, "pattern": pattern, "single_log_out": True},
    )
    ReplaceAttributName.objects.get_or_create(name="*", replace="", service_pattern=service)

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):  # the benchmark sends thousands of requests
            pass

    print(f"CAS server ready on http://127.0.0.1:{port}/cas/", flush=True)
    _serve(port, QuietHandler)


def _serve(port: int, handler) -> None:
    from django.core.servers.basehttp import ThreadedWSGIServer, get_internal_wsgi_application

    httpd = ThreadedWSGIServer(("127.0.0.1", port), handler, allow_reuse_address=True)
    httpd.daemon_threads = True
    httpd.set_app(get_internal_wsgi_application())
    httpd.serve_forever()


LOCAL_SERVICES = r"^https?://(localhost|127\.0\.0\.1)(:\d+)?/.*"

if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else LOCAL_SERVICES)
