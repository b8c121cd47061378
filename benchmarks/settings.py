"""Settings of the load runs only: the site's own, plus the benchmark's no-op view.

``benchmarks/load_registration.py`` starts gunicorn with ``DJANGO_SETTINGS_MODULE=
benchmarks.settings`` so that ``/_bench/noop/`` exists for its comparison (issue 17: the apply
request against an authenticated no-op served by the same gunicorn, middleware, session and
PostgreSQL). The production site never routes it: ``pixcentre.urls`` does not know it, and
these settings refuse to load with ``PRODUCTION=true``.
"""

from django.core.exceptions import ImproperlyConfigured

from pixcentre.settings import *  # noqa: F403
from pixcentre.settings import PRODUCTION

if PRODUCTION:
    raise ImproperlyConfigured("benchmarks.settings is for load runs, never PRODUCTION=true")

ROOT_URLCONF = "benchmarks.urls"
