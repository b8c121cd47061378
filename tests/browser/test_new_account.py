"""A person with no university account signs up, and an external candidate books a paying seat.

The new account reaches every link of its menu: « S’inscrire », « Mon inscription », « Mes
convocations » and « Mes résultats » send it to the identity form with a sentence (they
answered 404 before the identity was filled), and once the identity is saved it is back where
it was going. The external candidate sees the fee and how to pay before booking, confirms it,
and finds the fee in « Mes frais ». axe-core checks every page.
"""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from tests.conftest import PASSWORD

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENTENCE = "Indiquez d’abord votre identité telle que Pix la demande"


@pytest.fixture
def centre(db):
    """The academic year around the real clock and one session open to externals."""
    from candidates.models import AcademicYear
    from sessions_app.models import Audience, Room, Session, SessionStatus

    today = timezone.localdate()
    year = AcademicYear.objects.create(
        label="courante", start_date=today - dt.timedelta(days=60),
        end_date=today + dt.timedelta(days=300),
    )  # fmt: skip
    room = Room.objects.create(site="Campus Hannah Arendt", name="Salle 0E07", capacity=24)
    return Session.objects.create(
        academic_year=year, date=today + dt.timedelta(days=20), start_time=dt.time(14, 0),
        room=room, capacity=20, audience=Audience.MIXED, status=SessionStatus.OPEN,
    )  # fmt: skip


def _fill_identity(page):
    page.get_by_label("Nom de naissance").fill("DURAND")
    page.get_by_label("Prénom").fill("Sophie")
    page.get_by_label("Féminin").check()
    page.get_by_label("Date de naissance").fill("1990-05-17")
    page.get_by_label("Pays de naissance").fill("France")
    page.get_by_label("Code INSEE de la commune").fill("84007")
    page.get_by_role("button", name="Enregistrer").click()


def test_a_new_account_reaches_every_link_of_its_menu(page, screenshot, live_server, centre):
    from candidates.models import Candidate

    # Sign up, confirm the address from the email, land signed in.
    page.goto("/comptes/signup/")
    page.locator("input[name=email]").fill("sophie.durand@example.org")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/comptes/confirm-email/"))
    link = re.search(r"https?://\S+/comptes/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link.replace("http://testserver", live_server.url))
    page.locator("main form button[type=submit]").click()
    page.get_by_test_id("home-title").wait_for()
    screenshot("signed-up")

    # Each link of the menu: the identity form, with the sentence, never a 404.
    for link_name in ("S’inscrire", "Mon inscription", "Mes convocations", "Mes résultats"):
        page.goto("/")
        page.locator("#main-nav").get_by_role("link", name=link_name, exact=True).click()
        page.wait_for_url(re.compile(r"/candidats/moi/identite/\?next="))
        assert SENTENCE in page.get_by_role("alert").first.inner_text()
        assert page.locator("h1").inner_text() == "Mon identité pour Pix"
    assert_accessible(page)
    screenshot("identity-asked")
    assert not Candidate.objects.exists()

    # The identity saved, the account is back on the page it asked for (« Mes résultats »).
    _fill_identity(page)
    page.wait_for_url(re.compile(r"/resultats/moi/$"))
    assert "Votre identité est enregistrée" in page.get_by_role("alert").first.inner_text()
    assert_accessible(page)
    screenshot("back-to-results")
    for link_name, path in (("S’inscrire", "/sessions/offre/"),
                            ("Mon inscription", "/sessions/mon-inscription/"),
                            ("Mes convocations", "/convocations/moi/")):  # fmt: skip
        page.locator("#main-nav").get_by_role("link", name=link_name, exact=True).click()
        page.wait_for_url(re.compile(re.escape(path) + "$"))
        assert_accessible(page)
    assert Candidate.objects.get().kind == "external"


def test_an_external_sees_the_fee_confirms_and_finds_it_in_my_fees(
    page, screenshot, centre, external
):
    from billing.models import Fee
    from sessions_app.models import Registration
    from tests.sessions_app.conftest import complete_identity

    complete_identity(external.candidate)
    sign_in(page, external.email, PASSWORD)
    page.get_by_test_id("home-title").wait_for()
    page.locator("#main-nav").get_by_role("link", name="S’inscrire", exact=True).click()
    row = page.locator("table tbody tr", has_text="14:00")
    row.get_by_role("link", name="Réserver (payant)").click()

    # The fee and how to pay, before anything is booked.
    assert page.get_by_test_id("booking-amount").inner_text() == "45,00 €"
    assert "bon de commande" in page.get_by_test_id("how-to-pay").inner_text()
    assert not Registration.objects.exists()
    assert_accessible(page)
    screenshot("fee-shown")

    page.get_by_role("button", name="Confirmer la réservation (45,00 €)").click()
    page.wait_for_url(re.compile(r"/couts/mes-frais/$"))
    assert "Votre place est réservée. 45,00 € sont à régler" in (
        page.get_by_role("alert").first.inner_text()
    )
    fees = page.get_by_test_id("fees").inner_text()
    assert "45,00 €" in fees and "À payer" in fees
    assert_accessible(page)
    screenshot("booked")
    fee = Fee.objects.get(registration__candidate=external.candidate)
    assert (fee.amount, fee.status) == (45, "due")
