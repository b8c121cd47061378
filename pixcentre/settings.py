"""pixcentre settings, read from the environment.

Nothing configured = the embedded default: a SQLite file in ``var/``, Celery tasks run
in-process, emails printed on the console, DEBUG off. Production sets ``DATABASE_URL``
(PostgreSQL), ``CELERY_BROKER_URL`` / ``REDIS_URL`` (Redis broker and cache), ``EMAIL_URL``,
``SECRET_KEY`` and ``ALLOWED_HOSTS``. Every variable is listed in ``docs/configuration.md``.
"""

import datetime
import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("PIXCENTRE_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)


def _secret_key() -> str:
    """The secret key: from the environment, else one generated once for this checkout.

    The generated key lives in ``var/`` (ignored by git), so a fresh machine works without a
    secret in the repository and sessions survive a restart.
    """
    if key := env.str("SECRET_KEY", default=""):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    # University sign-in (CAS). Always installed (its two small tables: CAS session tickets for
    # single sign-out), used only when CAS_SERVER_URL is set.
    "django_cas_ng",
    # Domain apps, lowest first: each may import only those above it.
    "outbox",  # tasks wait here, in the database, until the broker takes them
    "accounts",
    "competences",
    "candidates",
    "sessions_app",
    "billing",
    "pixcentre",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "pixcentre.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "pixcentre.middleware.DatabaseUnavailableMiddleware",
]

FORM_RENDERER = "pixcentre.forms.BootstrapFormRenderer"
ROOT_URLCONF = "pixcentre.urls"
WSGI_APPLICATION = "pixcentre.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pixcentre.context_processors.centre",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'pixcentre.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once ("database is locked").
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: the centre's queries are short, but a page's aggregate over every
    # session (counts, EXISTS per session) is estimated above jit_above_cost, and PostgreSQL
    # then spent ~140 ms compiling a query that runs in 3 ms (docs/performance.md, issue 17).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Broker, cache and Celery -----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
# No broker configured: run tasks in-process, through the same code paths.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND",
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "cache+memory://",
)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="pixcentre")
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is delivered again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A stopped Redis is noticed in seconds, not minutes: the web keeps answering and the tasks wait
# in the outbox (outbox/dispatch.py).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 3}
CELERY_TIMEZONE = "Europe/Paris"
CELERY_BEAT_SCHEDULE: dict = {
    # Tasks that could not reach Redis when they were made go out once it is back, and those
    # left to the sweep (the apply acknowledgement: outbox.dispatch.enqueue_for_sweep) within
    # this many seconds. One indexed query when nothing waits.
    "publish-pending-tasks": {
        "task": "outbox.tasks.sweep_pending_tasks",
        "schedule": env.float("PIX_OUTBOX_SWEEP_SECONDS", default=10.0),
    },
}

if REDIS_URL:
    CACHES = {
        "default": {
            # Redis, but pages keep working when it stops (pixcentre/cache.py).
            "BACKEND": "pixcentre.cache.FailSafeRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pixcentre",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Email ----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# A provider's own backend class, when EMAIL_URL's schemes are not enough.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=EMAIL_CONFIG["EMAIL_BACKEND"])
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Centre Pix <pix@univ-avignon.fr>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Accounts (django-allauth) ----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's, reading the user with their candidate record (candidates/backends.py).
AUTHENTICATION_BACKENDS = [
    "candidates.backends.ModelBackend",
    "candidates.backends.AuthenticationBackend",
    # Validates a CAS service ticket (only ever called with one, by the CAS login view).
    "candidates.cas.UniversityCASBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
# Behind the reverse proxy (docs/deployment.md) every request arrives from the proxy's address:
# the per-IP limits above would then count the whole university as one client (a registration
# opening got 429 after 30 logins). Set to the number of proxies appending to X-Forwarded-For
# (1 for the university's nginx); leave 0 when gunicorn is reachable directly.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Centre Pix] "
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"

# --- University sign-in (CAS 3, django-cas-ng) -------------------------------------------------
# The university's CAS base URL (e.g. https://cas.univ-avignon.fr/cas/). Empty: no university
# sign-in at all, the login page is the email form only (the embedded default).
CAS_SERVER_URL = env.str("CAS_SERVER_URL", default="")
CAS_ENABLED = bool(CAS_SERVER_URL)
CAS_VERSION = "3"  # attributes come with the ticket validation (p3/serviceValidate)
# The login page's university button.
CAS_LOGIN_LABEL = env.str("CAS_LOGIN_LABEL", default="")
# CAS attribute name -> the SUPANN name pixcentre reads (uid, mail, givenName, sn, supannEtuId,
# supannEtuCursusAnnee, supannEtuEtape, eduPersonAffiliation), for a CAS that releases them
# under other names, e.g. "studentNumber=supannEtuId,affiliation=eduPersonAffiliation".
CAS_RENAME_ATTRIBUTES = env.dict("CAS_RENAME_ATTRIBUTES", default={})
# Never copy CAS attributes onto the user as they come (an attribute named "role" would set
# it): candidates/directory.py reads the ones it knows, checks them, and maps them.
CAS_APPLY_ATTRIBUTES_TO_USER = False
CAS_CREATE_USER = True
CAS_REDIRECT_URL = "/"
CAS_LOGOUT_COMPLETELY = True  # signing out here signs out of the university's CAS too
CAS_LOGOUT_NEXT_PAGE = "/"
CAS_CHECK_NEXT = True
CAS_IGNORE_REFERER = True  # after signing in: ?next= (checked) or home, never the Referer
CAS_LOGIN_MSG = None  # the home page says who is signed in; no untranslated flash message
CAS_LOGGED_MSG = None
CAS_VERIFY_SSL_CERTIFICATE = True
# Behind the proxy, the service URL CAS sends the student back to (https://pix.univ…/); empty:
# built from the request (which SECURE_PROXY_SSL_HEADER makes https behind the proxy).
CAS_ROOT_PROXIED_AS = env.str("CAS_ROOT_PROXIED_AS", default="")
# Days an invitation link stays valid.
PIX_INVITATION_VALIDITY_DAYS = env.int("PIX_INVITATION_VALIDITY_DAYS", default=14)

# --- Language and time ----------------------------------------------------------------------
# French first: the users are French. Source strings are written in French; the English
# catalogue lives in locale/en.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
# The image collects into /app/staticfiles at build time (Dockerfile, scripts/build.sh).
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise looks there even before collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production serves the hashed, compressed copies made by `collectstatic` (the Docker image
    # runs it); elsewhere whitenoise serves straight from static/, with nothing to collect.
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("PRODUCTION", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not env.bool("PRODUCTION", default=False)
WHITENOISE_AUTOREFRESH = DEBUG
# Uploads (Pix exports) are read in memory up to this size; larger ones are refused by the
# forms that accept them.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security -------------------------------------------------------------------------------
# PRODUCTION=true turns on everything that needs HTTPS in front (docker-compose sets it); the
# embedded default serves plain http on 127.0.0.1 and keeps these off.
PRODUCTION = env.bool("PRODUCTION", default=False)
if PRODUCTION and not env.str("SECRET_KEY", default=""):
    raise environ.ImproperlyConfigured("PRODUCTION=true needs SECRET_KEY in the environment.")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Scripts only from this site (pixcentre/middleware.py); empty to send no policy at all.
CONTENT_SECURITY_POLICY = env.str(
    "CONTENT_SECURITY_POLICY",
    default=(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
)
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every rendering step of every PDF at INFO (seven lines a document).
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# --- The centre -----------------------------------------------------------------------------
PIX_CENTRE_NAME = env.str(
    "PIX_CENTRE_NAME", default="Centre de certification Pix — Avignon Université"
)
PIX_CENTRE_CONTACT_EMAIL = env.str("PIX_CENTRE_CONTACT_EMAIL", default="pix@univ-avignon.fr")


def _iso_date(name: str, default: str):
    value = env.str(name, default=default)
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        raise environ.ImproperlyConfigured(f"{name} must be a date (YYYY-MM-DD).") from None


# Accessibility statement (RGAA, /accessibilite/): the conformity follows the last audit's
# rate of criteria met (100 % totally, 50 % or more partially, else not conformant); with no
# audit the site is "non conforme", as the RGAA requires.
PIX_ACCESSIBILITY_STATEMENT_DATE = _iso_date("PIX_ACCESSIBILITY_STATEMENT_DATE", "2026-12-01")
PIX_ACCESSIBILITY_AUDIT_DATE = _iso_date("PIX_ACCESSIBILITY_AUDIT_DATE", "")
PIX_ACCESSIBILITY_AUDIT_RATE = env.float("PIX_ACCESSIBILITY_AUDIT_RATE", default=None)
if (PIX_ACCESSIBILITY_AUDIT_DATE is None) != (PIX_ACCESSIBILITY_AUDIT_RATE is None):
    raise environ.ImproperlyConfigured(
        "PIX_ACCESSIBILITY_AUDIT_DATE and PIX_ACCESSIBILITY_AUDIT_RATE go together."
    )
if PIX_ACCESSIBILITY_AUDIT_RATE is not None and not 0 <= PIX_ACCESSIBILITY_AUDIT_RATE <= 100:
    raise environ.ImproperlyConfigured("PIX_ACCESSIBILITY_AUDIT_RATE is a percentage (0-100).")
# Where a person reports an accessibility barrier; the centre's contact address by default.
PIX_ACCESSIBILITY_CONTACT_EMAIL = env.str(
    "PIX_ACCESSIBILITY_CONTACT_EMAIL", default=PIX_CENTRE_CONTACT_EMAIL
)
# Pix levels per competence: 7 certified today (2026), 8 announced. The only place this number
# lives. Imports accept files up to level 8 whatever it says (competences.scoring.FILE_MAX_LEVEL).
PIX_MAX_LEVEL = env.int("PIX_MAX_LEVEL", default=7)
if PIX_MAX_LEVEL not in (6, 7, 8):
    raise environ.ImproperlyConfigured("PIX_MAX_LEVEL must be between 6 and 8.")

# --- staffing -------------------------------------------------------------------------------
# Defaults of sessions_app/staffing.py (seed: one invigilator per started block of 20, 2 hours,
# plus 40 minutes when a candidate has extra time). A year's cost parameters may differ.
PIX_CANDIDATES_PER_INVIGILATOR = env.int("PIX_CANDIDATES_PER_INVIGILATOR", default=20)
PIX_INVIGILATION_MINUTES = env.int("PIX_INVIGILATION_MINUTES", default=120)
PIX_EXTRA_TIME_EXTENSION_MINUTES = env.int("PIX_EXTRA_TIME_EXTENSION_MINUTES", default=40)

# --- sessions_app ---------------------------------------------------------------------------
# A candidate may cancel their seat up to this many hours before the session starts.
PIX_CANCELLATION_DEADLINE_HOURS = env.int("PIX_CANCELLATION_DEADLINE_HOURS", default=72)
# A worker that died while sending a convocation leaves a claim; after this many seconds the
# next run may send that convocation (sessions_app/services/convocations.py).
PIX_CONVOCATION_SEND_LEASE_SECONDS = env.int("PIX_CONVOCATION_SEND_LEASE_SECONDS", default=600)

# --- invigilation ---------------------------------------------------------------------------
# Attendance sheets and incident (fraud) reports are deleted this many days after they were
# made (`manage.py purge_invigilation_documents`, run daily by beat). Pix's rule: the centre
# keeps them 5 years; 1827 days are 5 years whatever the leap days in between, and less is
# refused.
PIX_DOCUMENT_RETENTION_MIN_DAYS = 5 * 365 + 2
PIX_DOCUMENT_RETENTION_DAYS = env.int(
    "PIX_DOCUMENT_RETENTION_DAYS", default=PIX_DOCUMENT_RETENTION_MIN_DAYS
)
if PIX_DOCUMENT_RETENTION_DAYS < PIX_DOCUMENT_RETENTION_MIN_DAYS:
    raise environ.ImproperlyConfigured(
        "PIX_DOCUMENT_RETENTION_DAYS must be at least 1827 (Pix: documents are kept 5 years)."
    )
CELERY_BEAT_SCHEDULE["purge-invigilation-documents"] = {
    "task": "sessions_app.invigilation_tasks.purge_invigilation_documents_task",
    "schedule": 86400.0,
}

# --- convocations ---------------------------------------------------------------------------
# Absolute address of the site, for links in convocations (PDF) and emails. Production must
# say it: the development default would send every candidate to 127.0.0.1.
PIX_SITE_URL = env.str("PIX_SITE_URL", default="" if PRODUCTION else "http://127.0.0.1:8000")
if not PIX_SITE_URL.startswith(("https://", "http://")):
    raise environ.ImproperlyConfigured(
        "PIX_SITE_URL must be the site's address, e.g. https://pix.univ-avignon.fr"
        + (" (required when PRODUCTION=true)." if PRODUCTION else ".")
    )
PIX_SITE_URL = PIX_SITE_URL.rstrip("/")
# Reminders 7 days and 1 day before a session: each run sends what is due, once.
CELERY_BEAT_SCHEDULE.update(
    {
        "convocations-reminders-7d": {
            "task": "sessions_app.tasks.send_reminders",
            "schedule": 3600.0,
            "args": ("7d",),
        },
        "convocations-reminders-1d": {
            "task": "sessions_app.tasks.send_reminders",
            "schedule": 900.0,
            "args": ("1d",),
        },
    }
)
