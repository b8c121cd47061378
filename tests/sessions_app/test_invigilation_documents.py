"""The attendance sheet PDF (read back with pypdf), its Celery task, and the retention purge."""

import datetime as dt
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from sessions_app.models import AttendanceSheet, Incident, Room, SessionStatus
from sessions_app.tasks import (
    generate_attendance_sheet_task,
    purge_invigilation_documents_task,
)

from .conftest import make_session
from .invigilation_fixtures import confirm

pytestmark = pytest.mark.django_db


def pages_text(sheet):
    with sheet.file.open("rb") as f:
        data = f.read()
    assert data.startswith(b"%PDF")
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def rows_on(text):
    """Candidate rows on a page: their birth names NOMn."""
    return re.findall(r"\bNOM\d+\b", text)


@pytest.mark.parametrize(("confirmed", "per_page"), [(1, [1]), (20, [20]), (41, [20, 20, 1])])
def test_sheet_has_one_row_per_confirmed_candidate_twenty_per_page(year, confirmed, per_page):
    room = Room.objects.create(site="Campus Hannah Arendt", name="Salle 2E07", capacity=45)
    session = make_session(year, room, day=15, hour=14, capacity=45, status=SessionStatus.CLOSED)
    registrations = confirm(session, confirmed, extra_time=33)
    waitlisted = confirm(session, 1)[0]
    waitlisted.status = "waitlisted"
    waitlisted.waitlist_order = 1
    waitlisted.save()

    result = generate_attendance_sheet_task.delay(session.pk).get()

    sheet = AttendanceSheet.objects.get(session=session)
    assert result == {"session": session.pk, "status": "generated", "pages": len(per_page)}
    texts = pages_text(sheet)
    assert [len(rows_on(t)) for t in texts] == per_page
    names = [name for t in texts for name in rows_on(t)]
    assert sorted(names) == sorted(r.candidate.birth_name for r in registrations)
    assert waitlisted.candidate.birth_name not in names
    for text in texts:  # the session on every page, and a signature column
        assert "mercredi 15 octobre 2025" in text
        assert "14:00" in text
        assert "Campus Hannah Arendt" in text
        assert "Salle 2E07" in text
        assert "Signature" in text
    # The extra time is on the row of the candidate who has it, wherever the alphabetical
    # order puts them (names come from a counter shared by the whole test run: NOM99 sorts
    # after NOM100).
    extra = registrations[0].candidate.birth_name
    [page] = [t for t in texts if extra in rows_on(t)]
    assert re.search(rf"\b{extra}\b.*33 %", page)
    assert sum(t.count("33 %") for t in texts) == 1


def test_second_run_replaces_the_sheet(year, room, django_capture_on_commit_callbacks):
    session = make_session(year, room, day=15, status=SessionStatus.CLOSED)
    confirm(session, 2)
    generate_attendance_sheet_task.delay(session.pk).get()
    first = AttendanceSheet.objects.get()
    first_name, first_time = first.file.name, first.generated_at
    confirm(session, 1)
    with django_capture_on_commit_callbacks(execute=True):
        generate_attendance_sheet_task.delay(session.pk).get()
    again = AttendanceSheet.objects.get()
    assert again.generated_at >= first_time
    assert len(rows_on(pages_text(again)[0])) == 3
    assert again.file.name != first_name
    assert not again.file.storage.exists(first_name)  # the old file is deleted after commit
    assert AttendanceSheet.objects.count() == 1


def test_task_for_a_missing_session_does_nothing(db):
    assert generate_attendance_sheet_task.delay(999999).get()["status"] == "missing"


def test_purge_deletes_documents_older_than_the_retention(
    settings, year, room, django_capture_on_commit_callbacks
):
    settings.PIX_DOCUMENT_RETENTION_DAYS = 30
    old = make_session(year, room, day=1)
    recent = make_session(year, room, day=2)
    now = timezone.now()  # the task reads the clock: dates relative to it
    for session, when in ((old, now - dt.timedelta(days=40)), (recent, now)):
        sheet = AttendanceSheet(session=session, generated_at=when)
        sheet.file.save(f"s{session.pk}.pdf", ContentFile(b"%PDF-1.4"), save=True)
    registration = confirm(old, 1)[0]
    incident = Incident.objects.create(
        session=old, registration=registration, code="C6", reported_at=now - dt.timedelta(days=40)
    )
    incident.fraud_report.save("fraude.pdf", ContentFile(b"%PDF-1.4"), save=True)
    old_file = AttendanceSheet.objects.get(session=old).file.name
    fraud_file = incident.fraud_report.name
    storage = incident.fraud_report.storage

    with django_capture_on_commit_callbacks(execute=True):
        result = purge_invigilation_documents_task.delay().get()

    assert result == {"attendance_sheets": 1, "fraud_reports": 1}
    assert list(AttendanceSheet.objects.values_list("session", flat=True)) == [recent.pk]
    assert not storage.exists(old_file) and not storage.exists(fraud_file)
    incident.refresh_from_db()
    assert incident.code == "C6" and not incident.fraud_report  # the incident itself stays
    out = io.StringIO()
    call_command("purge_invigilation_documents", stdout=out)
    assert "0 attendance sheet(s)" in out.getvalue()
