"""Shared fixtures: personas, and Celery in-process unless a test asks for a real worker."""

import pytest
from celery.result import allow_join_result

from accounts.models import Role, User
from pixcentre.celery import app as celery_app

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _celery_in_process(request):
    """Tasks run in-process in tests, whatever the broker, except for ``@pytest.mark.worker``.

    Each test starts allowed to wait for a task's result: Celery keeps "a task is running here,
    do not block on another" in one process-wide flag, which an in-process task sets and resets
    around itself. Two such tasks overlapping in two threads (the concurrency tests' crowd, the
    live server of the browser tests) can leave it set, and a later test's ``.get()`` would fail
    with "Never call result.get() within a task"."""
    with allow_join_result():
        if request.node.get_closest_marker("worker"):
            yield
            return
        previous = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True
        yield
        celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_user(email, role=Role.CANDIDATE, **extra) -> User:
    from allauth.account.models import EmailAddress

    user = User.objects.create_user(email=email, password=PASSWORD, role=role, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def referential(db):
    """The 16 competences. The migration loads them, but a transactional test (browser tests)
    empties every table when it ends: ask for this fixture when a test needs them."""
    from competences.models import Area, Competence
    from competences.referential import load_referential

    if Competence.objects.count() != 16:
        load_referential(Area, Competence)
    return list(Competence.objects.order_by("code"))


@pytest.fixture
def student(db):
    from candidates.models import Candidate, CandidateKind

    user = make_user("lea.martin@etu.univ-avignon.fr", first_name="Léa", last_name="Martin")
    Candidate.objects.create(
        user=user,
        kind=CandidateKind.STUDENT,
        birth_name="MARTIN",
        first_name="Léa",
        external_id="21950001",
    )
    return user


@pytest.fixture
def other_student(db):
    from candidates.models import Candidate, CandidateKind

    user = make_user("hugo.roux@etu.univ-avignon.fr", first_name="Hugo", last_name="Roux")
    Candidate.objects.create(
        user=user,
        kind=CandidateKind.STUDENT,
        birth_name="ROUX",
        first_name="Hugo",
        external_id="21950002",
    )
    return user


@pytest.fixture
def external(db):
    from candidates.models import Candidate, CandidateKind

    user = make_user("sophie.durand@example.org", first_name="Sophie", last_name="Durand")
    Candidate.objects.create(
        user=user, kind=CandidateKind.EXTERNAL, birth_name="DURAND", first_name="Sophie"
    )
    return user


@pytest.fixture
def invigilator(db):
    return make_user("paul.surveillant@univ-avignon.fr", Role.INVIGILATOR)


@pytest.fixture
def administrator(db):
    return make_user("claire.gestion@univ-avignon.fr", Role.ADMINISTRATOR)


@pytest.fixture
def referent(db):
    return make_user("thierry.referent@univ-avignon.fr", Role.REFERENT)


@pytest.fixture
def outsider(db):
    """Signed up, verified, but no candidate record and no other role."""
    return make_user("curieux@example.org")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Hashing with PBKDF2 takes half a second each time; tests don't need the strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits and cached figures live in the cache: each test starts from nothing."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _habilitated_centre(request):
    """The test centre is habilitated for every complementary certification (so its Pix
    Certif files carry the six columns), unless a test is marked ``no_habilitations``. Only for
    tests that use the database."""
    if request.node.get_closest_marker("no_habilitations"):
        return
    if not (
        request.node.get_closest_marker("django_db")
        or {"db", "transactional_db", "django_db_setup"} & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("_django_db_helper")
    from django.utils import timezone

    from sessions_app.models import Complementary, Habilitation

    for code in Complementary.values:
        Habilitation.objects.get_or_create(code=code, defaults={"granted_at": timezone.now()})


@pytest.fixture(scope="session")
def cas_server(tmp_path_factory):
    """A real CAS 3 server (django-cas-server) in its own process on loopback, for the whole
    test session; each test chooses its users with ``cas_server.set_user(...)``."""
    from tests.cas_server.process import CASServer

    server = CASServer(tmp_path_factory.mktemp("cas-server"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cas(cas_server, settings):
    """University sign-in switched on, against the test CAS server."""
    settings.CAS_SERVER_URL = cas_server.url
    return cas_server
