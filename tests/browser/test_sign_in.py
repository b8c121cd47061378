import pytest

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.browser

HOME_TITLES = {
    "administrator": "Gestion du centre",
    "referent": "Espace référent Pix",
    "invigilator": "Espace surveillant",
    "candidate": "Mon espace candidat",
}


@pytest.fixture
def demo_centre(transactional_db):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())


@pytest.mark.parametrize(("email", "role"), [(a[0], a[1]) for a in DEMO_ACCOUNTS])
def test_each_demo_account_signs_in_and_sees_its_home(demo_centre, page, screenshot, email, role):
    sign_in(page, email, DEMO_PASSWORD)
    page.get_by_test_id("home-title").wait_for()
    assert page.get_by_test_id("home-title").inner_text() == HOME_TITLES[role]
    assert email in page.get_by_test_id("signed-in-as").inner_text()
    screenshot("home")


def test_the_skip_link_is_the_first_stop_of_the_keyboard(demo_centre, page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
