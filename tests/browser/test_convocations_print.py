"""Convocations for everyone: a candidate imported from Pix Orga with no email address. The
batch finishes and says who was not reached and why; the administrator downloads one PDF of
the session's convocations (one per page) to print, then enters the address that was missing
and the convocation leaves."""

import datetime as dt

import pypdf
import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def convened_session():
    from candidates.models import AcademicYear
    from sessions_app.models import Registration, Room, Session
    from tests.sessions_app.conftest import make_candidate

    today = timezone.localdate()
    year = AcademicYear.objects.create(
        label="courante", start_date=today - dt.timedelta(days=60),
        end_date=today + dt.timedelta(days=300),
    )  # fmt: skip
    room = Room.objects.create(site="Campus Hannah Arendt", name="Salle 0E07", capacity=24)
    session = Session.objects.create(
        academic_year=year, date=today + dt.timedelta(days=12), start_time=dt.time(9),
        room=room, status="closed",
    )  # fmt: skip
    reached, camille = make_candidate(), make_candidate()
    reached.birth_name, camille.birth_name, camille.first_name = "ARNAUD", "PETIT", "Camille"
    camille.convocation_email = ""  # imported from Pix Orga, never signed in
    reached.save()
    camille.save()
    for candidate in (reached, camille):
        Registration.objects.create(
            candidate=candidate, session=session, academic_year=year, status="confirmed",
            source="allocation", created_at=timezone.now(),
        )  # fmt: skip
    return session, reached, camille


def test_the_batch_finishes_names_who_has_no_address_and_the_convocations_print(
    page, screenshot, administrator, convened_session
):
    session, reached, camille = convened_session
    # Without a broker the batch runs inside the request, and every PDF is rendered on a
    # loaded 2-CPU machine: a person waits for it, the test does too.
    page.set_default_timeout(90_000)
    sign_in(page, administrator.email, PASSWORD)
    page.goto(f"/convocations/session/{session.pk}/")
    page.get_by_role("button", name="Générer et envoyer les convocations").click()
    page.get_by_text("L’envoi des convocations est lancé").wait_for()
    expect(page.get_by_test_id("batch-state")).to_have_text(
        "Terminé : chaque convocation est envoyée, ou son motif est indiqué ci-dessous."
    )
    expect(page.locator('#convocation-progress [data-count="no_address"]')).to_have_text("1")
    row = page.locator("tr", has_text="PETIT Camille")
    expect(row).to_contain_text("Sans adresse e-mail")
    expect(row.get_by_test_id("reason")).to_contain_text("Aucune adresse e-mail")
    screenshot("batch-done")
    assert_accessible(page)

    # One PDF of the session's convocations, one per page.
    with page.expect_download() as download:
        page.get_by_role("link", name="Imprimer toutes les convocations (PDF)").click()
    assert download.value.suggested_filename.startswith("convocations-")
    reader = pypdf.PdfReader(download.value.path())
    texts = [p.extract_text() for p in reader.pages]
    assert len(texts) == 2
    assert "ARNAUD" in texts[0] and "PETIT" in texts[1]
    assert all("Convocation à la certification Pix" in t for t in texts)
    assert all("À présenter au surveillant" in t for t in texts)
    # Or only the one no email reached.
    with page.expect_download() as download:
        page.get_by_role("link", name="Imprimer celles non envoyées (PDF)").click()
    only = pypdf.PdfReader(download.value.path())
    assert len(only.pages) == 1 and "PETIT" in only.pages[0].extract_text()

    # Camille gave her address at the desk: saved, and the convocation leaves.
    row.get_by_label("Adresse e-mail de PETIT Camille").fill("camille.petit@example.org")
    row.get_by_role("button", name="Enregistrer et envoyer").click()
    page.get_by_text("La convocation de PETIT Camille va être envoyée").wait_for()
    expect(page.locator("tr", has_text="PETIT Camille")).to_contain_text("Envoyée")
    assert mail.outbox[-1].to == ["camille.petit@example.org"]
    screenshot("address-set-and-sent")
    assert_accessible(page)
