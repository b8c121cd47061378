"""Settings of the test CAS server (django-cas-server), never of pixcentre.

Run by ``tests/cas_server/serve.py`` in a separate process; everything it needs comes from
the environment that ``process.CASServer`` sets: its SQLite file and the JSON file of its users
(username, password, SUPANN attributes chosen by the test).
"""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECRET_KEY = "test-cas-server-only-never-deployed"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "cas_server",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "tests.cas_server.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get(
            "PIXCENTRE_TEST_CAS_DB", str(HERE.parents[1] / "var" / "dev-cas.sqlite3")
        ),
        "OPTIONS": {"timeout": 20},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
LANGUAGE_CODE = "fr"
STATIC_URL = "/static/"
# Its cookies must not be mistaken for pixcentre's when both run on one machine.
SESSION_COOKIE_NAME = "cas_sessionid"
CSRF_COOKIE_NAME = "cas_csrftoken"
LANGUAGE_COOKIE_NAME = "cas_language"

# django-cas-server
CAS_AUTH_CLASS = "tests.cas_server.auth.FileAuthUser"
CAS_NEW_VERSION_HTML_WARNING = False  # no call to PyPI from a test
CAS_NEW_VERSION_EMAIL_WARNING = False
CAS_SHOW_SERVICE_MESSAGES = False
CAS_LOGIN_TEMPLATE = "cas_test/login.html"
CAS_WARN_TEMPLATE = "cas_test/warn.html"
CAS_LOGGED_TEMPLATE = "cas_test/logged.html"
CAS_LOGOUT_TEMPLATE = "cas_test/logout.html"
CAS_SLO_TIMEOUT = 5
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
