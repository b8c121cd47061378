"""University sign-in walked in Chromium against a real CAS 3 server process.

The CAS server is django-cas-server in its own process on loopback (tests/cas_server/), with
users whose SUPANN attributes each test chooses. Login page → the university button → the CAS
login form → back to pixcentre with a ticket, which pixcentre validates with that server →
the student's own record, profile and tier. Single sign-out both ways.
"""

import time

import pytest
from playwright.sync_api import expect

from tests.candidates.conftest import make_export, participant
from tests.cas_server.process import supann

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mot-de-passe-université"


@pytest.fixture
def university(cas_server, settings):
    settings.CAS_SERVER_URL = cas_server.url
    return cas_server


@pytest.fixture
def imported_student(referential):
    """What the administrator's Pix Orga import made: a record with number, profile and tier,
    and no account."""
    from candidates import services
    from candidates.models import Candidate

    data = make_export(
        [
            {
                **participant(11, pix=44, year="L3"),
                "student_number": "22000011",
                "last_name": "BERNARD",
                "first_name": "Inès",
            }
        ]
    )
    services.import_profiles(data, file_name="export.csv")  # scores run in-process on commit
    return Candidate.objects.get(external_id="22000011")


def cas_sign_in(page, username):
    page.goto("/comptes/login/")
    page.get_by_test_id("cas-login").click()
    page.locator("#id_username").wait_for()
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_an_imported_student_signs_in_with_the_university_and_finds_their_record(
    university, imported_student, page, screenshot, live_server
):
    university.set_user(
        "ibernard",
        PASSWORD,
        supann(
            uid="ibernard",
            mail="ines.bernard@etu.univ-avignon.fr",
            givenName="Inès",
            sn="Bernard",
            supannEtuId="22000011",
            supannEtuCursusAnnee=["{SUPANN}L3", "{SUPANN}M1"],
            supannEtuEtape="M1 Géographie",
        ),
    )
    page.goto("/comptes/login/")
    login = page.get_by_test_id("cas-login")
    assert login.inner_text() == "Se connecter avec mon compte université"
    screenshot("login-page")
    login.click()
    page.locator("#id_username").wait_for()
    assert page.url.startswith(university.url + "login")
    screenshot("cas-form")
    page.locator("#id_username").fill("ibernard")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_test_id("home-title").wait_for()
    assert "ines.bernard@etu.univ-avignon.fr" in page.get_by_test_id("signed-in-as").inner_text()
    screenshot("home")
    page.get_by_role("link", name="Mon profil Pix").click()
    page.get_by_test_id("page-title").wait_for()
    assert page.get_by_test_id("student-number").inner_text() == "22000011"
    assert page.get_by_test_id("candidate-study-year").inner_text() == "M1"
    assert page.get_by_test_id("candidate-kind").inner_text() == "Étudiant"
    # The directory's M1 (not the import's L3) decides the tier: 44 pix a competence is an
    # average level of 5, in M1 → priority (a).
    page.locator("[data-testid='tier']").wait_for()
    deadline = time.monotonic() + 20
    while "Niveau de priorité : 2" not in page.get_by_test_id("tier").inner_text():
        assert time.monotonic() < deadline, page.get_by_test_id("tier").inner_text()
        time.sleep(0.5)
        page.reload()
    assert "M1" in page.get_by_test_id("tier-reason").inner_text()
    screenshot("profile")
    imported_student.refresh_from_db()
    assert imported_student.user.cas_username == "ibernard"

    # Signing out here signs out of the university's CAS too, then comes back home.
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(live_server.url + "/")
    page.get_by_role("link", name="Se connecter").first.wait_for()
    expect(page.get_by_test_id("signed-in-as")).to_have_count(0)
    screenshot("signed-out")
    page.goto(university.url + "login")
    assert page.locator("#id_username").count() == 1  # CAS asks again: really signed out


def test_staff_affiliation_becomes_a_staff_candidate(university, page, screenshot):
    university.set_user(
        "cperrin",
        PASSWORD,
        supann(
            uid="cperrin",
            mail="cecile.perrin@univ-avignon.fr",
            givenName="Cécile",
            sn="Perrin",
            eduPersonAffiliation=["staff", "employee", "member"],
        ),
    )
    cas_sign_in(page, "cperrin")
    page.get_by_test_id("home-title").wait_for()
    assert "(Personnel)" in page.locator("main").inner_text()
    screenshot("staff-home")


def test_signing_out_at_the_university_signs_out_here(university, imported_student, page):
    university.set_user(
        "ibernard",
        PASSWORD,
        supann(
            uid="ibernard",
            mail="ines.bernard@etu.univ-avignon.fr",
            givenName="Inès",
            sn="Bernard",
            supannEtuId="22000011",
            supannEtuCursusAnnee="{SUPANN}L3",
        ),
    )
    cas_sign_in(page, "ibernard")
    page.get_by_test_id("home-title").wait_for()
    # Another service of the university signs the student out at CAS, which tells pixcentre
    # (a SAML logoutRequest POSTed to the service URL).
    page.goto(university.url + "logout")
    page.get_by_test_id("cas-logged-out").wait_for()
    deadline = time.monotonic() + 15
    while True:
        page.goto("/")
        if page.get_by_test_id("signed-in-as").count() == 0:
            break
        assert time.monotonic() < deadline, "pixcentre's session outlived the CAS sign-out"
        time.sleep(0.5)


def test_missing_student_number_is_a_clear_refusal_in_the_browser(university, page, screenshot):
    from accounts.models import User

    university.set_user(
        "sansnumero",
        PASSWORD,
        supann(uid="sansnumero", mail="x@etu.univ-avignon.fr", givenName="Jo", sn="Sans"),
    )
    cas_sign_in(page, "sansnumero")
    refusal = page.get_by_test_id("cas-refusal")
    refusal.wait_for()
    assert "numéro étudiant" in refusal.inner_text()
    screenshot("refused")
    assert not User.objects.filter(cas_username="sansnumero").exists()
