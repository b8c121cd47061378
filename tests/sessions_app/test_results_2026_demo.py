"""The demo shows a successful 2026 results import: the file Pix writes since spring 2026 for
a held session, imported whole through the importer, once."""

import datetime as dt
from io import StringIO

import pytest
from django.urls import reverse

from candidates.models import AcademicYear
from sessions_app.demo import results_2026
from sessions_app.models import CertificationResult, ResultsImport, Room
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
