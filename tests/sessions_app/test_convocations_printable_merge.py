"""The session's printable convocations are the stored PDFs merged, in the attendance list's
order; only a convocation with no current stored file is rendered by WeasyPrint."""

import io

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions_app.models import Convocation, ConvocationStatus
from sessions_app.services import convocations

from .conftest import make_candidate, make_session
from .test_convocations import register

pytestmark = pytest.mark.django_db


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def convened_session(year, room, n, *, day=20):
    session = make_session(year, room, day=day, hour=14)
    registrations = [register(session, make_candidate()) for _ in range(n)]
    convocations.generate_session_convocations(session)
    ordered = sorted(
        registrations, key=lambda r: (r.candidate.birth_name, r.candidate.first_name, r.pk)
    )
    return session, ordered


@pytest.fixture
def renderings(monkeypatch):
    """The registrations WeasyPrint renders a convocation for, in order."""
    rendered = []
    render_pdf = convocations.documents.render_pdf

    def spy(registration, language=None):
        rendered.append(registration.pk)
        return render_pdf(registration, language)

    monkeypatch.setattr(convocations.documents, "render_pdf", spy)
    return rendered


def test_the_stored_pdfs_are_merged_in_order_and_only_missing_or_stale_ones_rendered(
    year, room, renderings
):
    session, ordered = convened_session(year, room, 4)
    missing, stale = ordered[1], ordered[3]
    Convocation.objects.filter(registration=missing).delete()
    Convocation.objects.filter(registration=stale).update(status=ConvocationStatus.PENDING)
    renderings.clear()  # those of the generation

    pdf, count = convocations.printable_convocations(session)

    assert renderings == [missing.pk, stale.pk]
    pages = pages_of(pdf)
    assert count == 4 and len(pages) == 4
    for text, registration in zip(pages, ordered, strict=True):
        assert registration.candidate.birth_name in text
        assert convocations.presence_code_text(registration) in text
    for index in (0, 2):  # merged as stored, page for page
        with Convocation.objects.get(registration=ordered[index]).file.open("rb") as f:
            assert pages[index] == pages_of(f.read())[0]
    assert not Convocation.objects.filter(registration=missing).exists()  # printing stores nothing


def test_a_file_the_storage_lost_is_rendered(year, room, renderings):
    session, ordered = convened_session(year, room, 2)
    lost = Convocation.objects.get(registration=ordered[0])
    lost.file.storage.delete(lost.file.name)
    renderings.clear()  # those of the generation

    pdf, count = convocations.printable_convocations(session)

    assert renderings == [ordered[0].pk]
    assert count == 2 and ordered[0].candidate.birth_name in pages_of(pdf)[0]


def test_a_stored_file_that_is_not_a_readable_pdf_is_rendered(year, room, renderings):
    """A damaged file made the whole printout a 500 (the access-table test's convocation holds
    a few bytes of text)."""
    session, ordered = convened_session(year, room, 2)
    damaged = Convocation.objects.get(registration=ordered[1])
    with damaged.file.open("wb") as f:
        f.write(b"% fichier abime")
    renderings.clear()  # those of the generation

    pdf, count = convocations.printable_convocations(session)

    assert renderings == [ordered[1].pk]
    assert count == 2 and ordered[1].candidate.birth_name in pages_of(pdf)[1]


def queries_to_print(session) -> int:
    with CaptureQueriesContext(connection) as ctx:
        convocations.printable_convocations(session)
    return len(ctx)


def test_the_printable_pdf_takes_the_same_queries_for_2_or_6_convocations(year, room):
    small, _ = convened_session(year, room, 2, day=20)
    large, ordered = convened_session(year, room, 6, day=21)
    assert queries_to_print(small) == queries_to_print(large) == 1
    Convocation.objects.filter(registration__in=ordered[:2]).delete()  # rendered on request
    assert queries_to_print(large) == 1
