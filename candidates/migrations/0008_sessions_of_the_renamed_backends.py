"""The sessions signed in through Django's and allauth's authentication backends name them by
their dotted path; ``candidates.backends`` now stands in for both (the user is read with their
candidate record). Django ignores a session whose backend is not in AUTHENTICATION_BACKENDS:
without this, everyone signed in by password would have to sign in again once. Sessions signed
in through the university's CAS keep their path (``candidates.cas.UniversityCASBackend``)."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

BACKEND_SESSION_KEY = "_auth_user_backend"  # django.contrib.auth's, frozen here
RENAMED = {
    "django.contrib.auth.backends.ModelBackend": "candidates.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": (
        "candidates.backends.AuthenticationBackend"
    ),
}


def rename(apps, renamed):
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return  # sessions not in the database (the project keeps them there)
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    Session = apps.get_model("sessions", "Session")
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = store.decode(session.session_data)
        if data.get(BACKEND_SESSION_KEY) in renamed:
            data[BACKEND_SESSION_KEY] = renamed[data[BACKEND_SESSION_KEY]]
            session.session_data = store.encode(data)
            session.save(update_fields=["session_data"])


def forwards(apps, schema_editor):
    rename(apps, RENAMED)


def backwards(apps, schema_editor):
    rename(apps, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0007_candidate_extra_time_index"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
