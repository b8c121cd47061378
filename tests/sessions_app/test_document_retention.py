"""Attendance sheets and incident reports are kept 5 years (Pix's rule), then purged."""

import datetime as dt
import io
import subprocess
import sys

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from sessions_app.models import AttendanceSheet, Incident

from .conftest import make_session
from .invigilation_fixtures import confirm

pytestmark = pytest.mark.django_db


def test_the_default_keeps_documents_five_years(settings):
    # Five years hold one or two leap days: 1827 days are never short of five years.
    assert settings.PIX_DOCUMENT_RETENTION_DAYS == 1827


def test_a_four_year_old_sheet_and_report_stay_and_a_six_year_old_one_goes(
    year, room, django_capture_on_commit_callbacks
):
    now = timezone.now()
    kept_at = now - dt.timedelta(days=4 * 365 + 300)  # four years and ten months
    gone_at = now - dt.timedelta(days=6 * 365)
    sessions = {}
    for day, when in ((1, kept_at), (2, gone_at)):
        session = make_session(year, room, day=day)
        sheet = AttendanceSheet(session=session, generated_at=when)
        sheet.file.save(f"s{session.pk}.pdf", ContentFile(b"%PDF-1.4"), save=True)
        incident = Incident.objects.create(
            session=session, registration=confirm(session, 1)[0], code="C6", reported_at=when
        )
        incident.fraud_report.save("fraude.pdf", ContentFile(b"%PDF-1.4"), save=True)
        sessions[when] = session

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_invigilation_documents", stdout=out)

    assert "1 attendance sheet(s) and 1 fraud report(s) deleted" in out.getvalue()
    kept = sessions[kept_at]
    assert list(AttendanceSheet.objects.values_list("session", flat=True)) == [kept.pk]
    assert Incident.objects.get(session=kept).fraud_report
    assert not Incident.objects.get(session=sessions[gone_at]).fraud_report


def test_a_retention_shorter_than_five_years_is_refused_at_start_up():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'pixcentre.settings'; "
        "django.setup()"
    )
    env = {"PIX_DOCUMENT_RETENTION_DAYS": "365", "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert run.returncode != 0
    assert "PIX_DOCUMENT_RETENTION_DAYS must be at least 1827" in run.stderr
