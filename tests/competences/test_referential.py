import pytest

from competences.models import Area, Competence
from competences.referential import load_data

DATA = load_data()


@pytest.mark.django_db
def test_the_referential_has_sixteen_competences_in_five_areas():
    assert Area.objects.count() == 5
    assert Competence.objects.count() == 16
    codes = list(Competence.objects.values_list("code", flat=True))
    assert codes == [
        "1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "3.4",
        "4.1", "4.2", "4.3", "5.1", "5.2",
    ]  # fmt: skip


@pytest.mark.django_db
def test_titles_are_the_seeds_with_the_typographic_apostrophe():
    assert Competence.objects.get(code="1.1").title_fr == (
        "Mener une recherche et une veille d’information"
    )
    assert Competence.objects.get(code="5.2").title_fr == ("Construire un environnement numérique")
    for item in DATA["competences"]:
        competence = Competence.objects.get(code=item["code"])
        assert competence.title_fr == item["title_fr"]
        assert competence.area.code == item["area"]
        assert competence.themes_fr == item["themes_fr"]


@pytest.mark.django_db
def test_referential_page_is_public_and_bilingual(client):
    response = client.get("/referentiel/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Mener une recherche et une veille d’information" in body
    assert "896 pix" in body

    response = client.get("/referentiel/", headers={"accept-language": "en"})
    assert "Conducting information searches and monitoring" in response.content.decode()


@pytest.mark.django_db
def test_referential_page_shows_1024_with_eight_levels(client, settings):
    settings.PIX_MAX_LEVEL = 8
    assert "1024 pix" in client.get("/referentiel/").content.decode()
