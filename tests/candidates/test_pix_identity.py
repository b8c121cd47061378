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
