"""The demo shows a successful 2026 results import: the file Pix writes since spring 2026 for
a held session, imported whole through the importer, once."""

import datetime as dt
from io import StringIO

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.models import AcademicYear
from sessions_app.demo import results_2026
from sessions_app.models import CertificationResult, ResultsImport, Room, Session
from sessions_app.pix.results import VARIANT_2026

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre():
    today = dt.date.today()
    AcademicYear.objects.create(
        label="demo",
        start_date=today - dt.timedelta(days=200),
        end_date=today + dt.timedelta(days=200),
    )
    Room.objects.create(site="Campus Hannah Arendt", name="Salle 2E08", capacity=20)


def test_the_demo_imports_a_2026_file_once(centre, client, administrator):
    out = StringIO()
    results_2026.seed(rng=None, stdout=out)
    record = ResultsImport.objects.get(accepted=True)
    assert record.variant == VARIANT_2026 and record.line_count == len(results_2026.PEOPLE)
    assert "_resultats_session_40150.csv" in record.file_name
    levels = set(CertificationResult.objects.values_list("level", flat=True))
    assert {"Expert 1", "Avancé", "Admissible", "Non obtenue"} <= levels
    assert not CertificationResult.objects.filter(notified_at__isnull=True).exists()

    results_2026.seed(rng=None, stdout=out)
    assert "already imported" in out.getvalue()
    assert ResultsImport.objects.count() == 1
    assert CertificationResult.objects.count() == len(results_2026.PEOPLE)

    client.force_login(administrator)
    page = client.get(reverse("results:upload")).content.decode()
    assert record.file_name in page


def test_the_held_session_takes_a_room_free_at_that_hour(centre):
    # Three weeks before today, the demo's weekly sessions may already hold the first room at
    # 14:00 (they did on 3 December 2026): the held session goes to the next free room.
    busy = Room.objects.get()
    other = Room.objects.create(site="Campus Hannah Arendt", name="Salle S3", capacity=16)
    day = timezone.localdate() - dt.timedelta(days=21)
    Session.objects.create(
        academic_year=AcademicYear.objects.get(), date=day, start_time=dt.time(13, 0),
        room=busy, capacity=20,
    )  # fmt: skip
    results_2026.seed(rng=None, stdout=StringIO())
    held = Session.objects.get(pix_session_number=results_2026.PIX_NUMBER)
    assert (held.room, held.date, held.start_time) == (other, day, dt.time(14, 0))
