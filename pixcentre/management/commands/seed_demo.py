"""Load (or refresh) the demo centre. Idempotent: running it twice changes nothing more.

Each app contributes its part in ``<app>/demo.py`` with a ``seed(*, rng, stdout)`` function,
called lowest app first, so that the demo always shows everything built so far.
"""

import contextlib
import importlib
import logging
import random

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

# An entry is an app (its ``<app>/demo.py`` is used) or a full module path with a ``seed``.
DEMO_APPS = [
    "accounts",
    "competences",
    "candidates",
    "sessions_app.demo.sessions",
    "sessions_app.demo.results_2026",
    "sessions_app.demo.waitlist",
    "billing",
    # After every module that adds sessions and seats (the waitlist's coming sessions, billing's
    # held ones), so that its « next session with seats » and « last held session » are the
    # same on the first run as on the next: in summer the semester's sessions are all past.
    "sessions_app.demo.convocations",
    # Invigilators staff every seat taken above (billing books external candidates).
    "sessions_app.demo.invigilation",
    # Last: what went out to Pix Certif, and a few mismatches for the reconciliation page.
    "billing.demo_reconciliation",
]


# In-process tasks log each run (celery), the broker-less connection warns once (kombu) and PDFs
# log their rendering steps (weasyprint): none of it helps whoever reads the demo accounts.
QUIET_LOGGERS = ("celery", "kombu", "weasyprint", "fontTools")


@contextlib.contextmanager
def quiet_logs(names=QUIET_LOGGERS, level=logging.ERROR):
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(level)
    try:
        yield
    finally:
        for logger, previous in zip(loggers, levels, strict=True):
            logger.setLevel(previous)


class Command(BaseCommand):
    help = "Create the demo certification centre and print the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="random seed for demo data")

    def handle(self, *args, **options):
        from accounts.demo import DEMO_PASSWORD

        rng = random.Random(options["seed"])
        accounts = []
        with quiet_logs(), transaction.atomic():
            for app in DEMO_APPS:
                name = app if "." in app else f"{app}.demo"
                try:
                    module = importlib.import_module(name)
                except ModuleNotFoundError as exc:
                    if exc.name != name:
                        raise
                    continue
                result = module.seed(rng=rng, stdout=self.stdout)
                if app == "accounts":
                    accounts = result
        # Last, apart from the rest: what a newcomer needs to sign in.
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo centre ready: {settings.PIX_CENTRE_NAME}"))
        self.stdout.write(self.style.MIGRATE_HEADING("Demo accounts — sign in with any of them:"))
        for email, label in accounts:
            self.stdout.write(f"  {email:<34} {label}")
        self.stdout.write(f"  password for every account: {DEMO_PASSWORD}")
        self.stdout.write("")
