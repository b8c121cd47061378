import datetime as dt
from types import SimpleNamespace

import pytest

from candidates.pix_identity import identity_problems

TODAY = dt.date(2026, 11, 23)


def person(**overrides):
    values = {
        "birth_name": "MARTIN", "first_name": "Léa", "sex": "F",
        "birth_date": dt.date(2003, 5, 4), "birth_country": "France",
        "birth_insee_code": "84007", "birth_postal_code": "", "birth_city": "",
        "extra_time_percent": None,
    }  # fmt: skip
    values.update(overrides)
    return SimpleNamespace(**values)


def fields(p):
    return [field for field, _message in identity_problems(p, today=TODAY)]


def test_a_complete_identity_born_in_france_with_insee_code_has_no_problem():
    assert identity_problems(person(), today=TODAY) == []


def test_postal_code_and_city_instead_of_insee_code_is_fine():
    assert (
        fields(person(birth_insee_code="", birth_postal_code="84000", birth_city="Avignon")) == []
    )


def test_insee_code_together_with_postal_code_is_refused():
    assert fields(person(birth_postal_code="84000", birth_city="Avignon")) == ["birth_insee_code"]


def test_born_in_france_without_a_place_is_refused():
    assert fields(person(birth_insee_code="")) == ["birth_insee_code"]


def test_postal_code_without_city_is_refused():
    assert fields(person(birth_insee_code="", birth_postal_code="84000")) == ["birth_city"]


def test_born_abroad_needs_a_city_and_no_postal_code():
    abroad = person(birth_country="Maroc", birth_insee_code="99", birth_city="Rabat")
    assert fields(abroad) == []
    assert fields(person(birth_country="Maroc", birth_insee_code="")) == ["birth_city"]
    assert "birth_postal_code" in fields(
        person(
            birth_country="Maroc",
            birth_insee_code="",
            birth_postal_code="12345",
            birth_city="Rabat",
        )
    )


@pytest.mark.parametrize("sex", ["", "X", None])
def test_sex_must_be_m_or_f(sex):
    assert fields(person(sex=sex)) == ["sex"]


@pytest.mark.parametrize("date", [None, dt.date(1899, 12, 31), dt.date(2030, 1, 1)])
def test_birth_date_is_required_after_1900_and_in_the_past(date):
    assert fields(person(birth_date=date)) == ["birth_date"]


@pytest.mark.parametrize(("extra", "ok"), [(None, True), (33, True), (0, False), (100, False)])
def test_extra_time_is_a_whole_percentage_from_1_to_99(extra, ok):
    assert (fields(person(extra_time_percent=extra)) == []) is ok


def test_missing_names_are_reported_in_french():
    problems = identity_problems(person(birth_name=" ", first_name=""), today=TODAY)
    assert problems[0] == ("birth_name", "Le nom de naissance est obligatoire.")
    assert problems[1][0] == "first_name"


# --- The birthplace against the official referentials ------------------------------------------


def messages(p):
    return " ".join(message for _field, message in identity_problems(p, today=TODAY))


def test_an_insee_code_no_commune_has_is_refused():
    p = person(birth_insee_code="99999")
    assert fields(p) == ["birth_insee_code"]
    assert "« 99999 »" in messages(p) and "référentiel officiel des communes" in messages(p)


def test_a_postal_code_with_another_communes_name_is_refused_naming_the_right_ones():
    p = person(birth_insee_code="", birth_postal_code="84000", birth_city="Marseille")
    assert fields(p) == ["birth_city"]
    assert "Avignon" in messages(p)


def test_a_postal_code_that_does_not_exist_is_refused():
    p = person(birth_insee_code="", birth_postal_code="00000", birth_city="Nulle-Part")
    assert fields(p) == ["birth_postal_code"]


def test_an_arrondissement_postal_code_with_its_city_is_fine():
    assert (
        fields(person(birth_insee_code="", birth_postal_code="13001", birth_city="Marseille")) == []
    )


def test_a_misspelt_country_is_refused_with_a_suggestion():
    p = person(birth_country="Frnace", birth_insee_code="99", birth_city="Paris")
    assert fields(p) == ["birth_country"]
    assert "Vouliez-vous dire « France » ?" in messages(p)


def test_an_overseas_department_given_as_a_country_is_refused():
    p = person(birth_country="Guadeloupe", birth_insee_code="", birth_city="Pointe-à-Pitre")
    assert fields(p) == ["birth_country"]
    assert "indiquez « France »" in messages(p)


def test_a_country_in_lower_case_is_known_and_spelt_officially():
    from candidates.pix_identity import official_birthplace

    p = person(birth_country="maroc", birth_insee_code="", birth_city="Rabat")
    assert fields(p) == []
    assert official_birthplace(p) == {"birth_country": "Maroc", "birth_insee_code": "99"}


def test_a_commune_found_by_its_postal_code_takes_its_official_spelling():
    from candidates.pix_identity import official_birthplace

    p = person(birth_insee_code="", birth_postal_code="42000", birth_city="SAINT-ETIENNE")
    assert official_birthplace(p) == {"birth_city": "Saint-Étienne"}
    unknown = person(birth_insee_code="", birth_postal_code="84000", birth_city="Marseille")
    assert official_birthplace(unknown) == {}


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"sex": ""},
        {"birth_insee_code": "", "birth_postal_code": "84000"},
        {"birth_country": "Maroc", "birth_insee_code": ""},
        {"birth_country": "Pays imaginaire"},
        {"birth_date": None, "first_name": " "},
        {"extra_time_percent": 120},
    ],
)
def test_identity_complete_applies_the_same_rules_without_wording_them(overrides):
    from django.utils import translation

    from candidates.pix_identity import identity_complete

    p = person(**overrides)
    assert identity_complete(p, today=TODAY) == (identity_problems(p, today=TODAY) == [])
    with translation.override("en"):  # the messages are worded again afterwards
        identity_complete(p, today=TODAY)
        worded = identity_problems(person(sex=""), today=TODAY)
    assert worded == [("sex", "Sex must be M or F.")]
