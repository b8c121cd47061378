"""A student opens their positioning profile: the chart drawn by Chart.js, its table
alternative, their tier and its reason. An administrator imports the Pix Orga sample."""

import pytest
from playwright.sync_api import expect

from tests.candidates.conftest import DATA, SAMPLE_NAME, make_export, participant
from tests.conftest import PASSWORD

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def student_with_profile(referential, student):
    from candidates import services

    data = make_export(
        [{**participant(1, pix=44, year="M1"), "student_number": "21950001", "last_name": "MARTIN"}]
    )
    services.import_profiles(data, file_name="export.csv")  # scores run in-process on commit
    return student


def test_student_sees_their_chart_table_and_tier(student_with_profile, page, screenshot):
    sign_in(page, student_with_profile.email, PASSWORD)
    page.get_by_role("link", name="Mon profil Pix").click()
    page.get_by_test_id("page-title").wait_for()
    page.locator("#profile-chart[data-ready='true']").wait_for()
    assert page.get_by_test_id("total-pix").inner_text() == "704 / 896"
    assert "Niveau de priorité : 2" in page.get_by_test_id("tier").inner_text()
    assert "M1" in page.get_by_test_id("tier-reason").inner_text()
    screenshot("chart")
    page.get_by_text("Voir les niveaux sous forme de tableau").click()
    table = page.get_by_test_id("profile-table").locator("tbody tr")
    expect(table).to_have_count(16)
    assert "5 / 7" in table.first.inner_text()
    screenshot("table")


def test_administrator_imports_the_sample_and_sees_the_counts(
    referential, administrator, page, screenshot
):
    sign_in(page, administrator.email, PASSWORD)
    page.get_by_role("button", name="Candidats").click()
    page.get_by_role("link", name="Imports de profils").click()
    page.get_by_label("Export Pix Orga (CSV)").set_input_files(str(DATA / SAMPLE_NAME))
    screenshot("upload")
    page.get_by_role("button", name="Importer").click()
    counts = page.get_by_test_id("import-counts")
    counts.wait_for()
    assert "23" in counts.inner_text()
    screenshot("counts")
    page.get_by_role("button", name="Candidats").click()
    page.get_by_role("link", name="Liste des candidats").click()
    page.get_by_label("Nom ou numéro étudiant").fill("21900000")
    page.get_by_role("button", name="Filtrer").click()
    rows = page.get_by_test_id("candidate-table").locator("tbody tr")
    # count() does not wait: a run under load counted the rows of the page still loading (0)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("DURAND Lina")
    screenshot("search")
